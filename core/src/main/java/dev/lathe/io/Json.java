package dev.lathe.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader for file headers (safetensors, checkpoints): objects become ordered maps,
 * arrays lists, numbers Long (integers) or Double, plus String, Boolean and null. The core carries
 * no dependencies, so this small parser lives here; it rejects trailing text, duplicate keys and
 * nesting deeper than 64, and every error names the offset.
 */
public final class Json {
    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != p.s.length()) throw p.error("unexpected text after the value");
        return v;
    }

    /**
     * Writes maps (string keys, in their order), lists, strings, numbers, booleans and null as JSON
     * that {@link #parse} reads back to equal values: doubles in Java's shortest round-trip form;
     * NaN and infinities are rejected (JSON has none).
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
        switch (v) {
            case null -> b.append("null");
            case String str -> b.append(quote(str));
            case Boolean bool -> b.append(bool);
            case Integer n -> b.append(n);
            case Long n -> b.append(n);
            case Number n -> {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) throw new IllegalArgumentException("json: " + d + " has no JSON form");
                b.append(d);
            }
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("json: key " + e.getKey() + " is not a string");
                    b.append(quote(k)).append(':');
                    write(e.getValue(), b);
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) b.append(',');
                    write(l.get(k), b);
                }
                b.append(']');
            }
            default -> throw new IllegalArgumentException("json: cannot write a " + v.getClass().getSimpleName());
        }
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private Object value(int depth) {
        if (depth > 64) throw error("nesting deeper than 64");
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek('}')) return m;
        while (true) {
            skipSpace();
            if (i >= s.length() || s.charAt(i) != '"') throw error("expected a key string");
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m.containsKey(key)) throw error("duplicate key \"" + key + "\"");
            m.put(key, value(depth + 1));
            skipSpace();
            if (peek('}')) return m;
            expect(',');
        }
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        i++;
        skipSpace();
        if (peek(']')) return l;
        while (true) {
            skipSpace();
            l.add(value(depth + 1));
            skipSpace();
            if (peek(']')) return l;
            expect(',');
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = i;
        if (s.charAt(i) == '-') i++;
        boolean integral = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') i++;
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
                i++;
            } else break;
        }
        String t = s.substring(start, i);
        try {
            return integral ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            throw error("bad number '" + t + "'");
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("unexpected text");
        i += word.length();
        return v;
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error((i >= s.length() ? "unexpected end, " : "") + "expected '" + c + "'");
    }

    private void skipSpace() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\r' || s.charAt(i) == '\t')) i++;
    }

    private IllegalArgumentException error(String what) { return new IllegalArgumentException("JSON: " + what + " at offset " + i); }
}
