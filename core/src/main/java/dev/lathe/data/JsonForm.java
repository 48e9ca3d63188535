package dev.lathe.data;

import dev.lathe.data.Preprocessing.Categorical;
import dev.lathe.data.Preprocessing.Classes;
import dev.lathe.data.Preprocessing.Column;
import dev.lathe.data.Preprocessing.Numeric;
import dev.lathe.data.Preprocessing.Regression;
import dev.lathe.data.Preprocessing.Target;
import dev.lathe.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Preprocessing}'s JSON form in a checkpoint: every field checked, errors name the checkpoint and the field. */
final class JsonForm {
    private JsonForm() {}

    static Map<String, Object> target(Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (t) {
            case Classes c -> {
                m.put("type", "classes");
                m.put("column", c.column());
                m.put("names", c.names());
            }
            case Regression r -> {
                m.put("type", "regression");
                m.put("column", r.column());
                m.put("mean", r.mean());
                m.put("std", r.std());
            }
        }
        return m;
    }

    static Preprocessing read(String text, String source) {
        Reader r = new Reader(source);
        try {
            Map<String, Object> m = r.map(Json.parse(text), "preprocessing");
            Target target = target(r, r.map(m.get("target"), "target"));
            return switch (r.string(m, "kind")) {
                case "table" -> {
                    List<Column> cols = new ArrayList<>();
                    for (Object o : r.list(m.get("columns"), "columns")) {
                        Map<String, Object> c = r.map(o, "column");
                        String name = r.string(c, "name");
                        cols.add(switch (r.string(c, "type")) {
                            case "numeric" -> new Numeric(name, r.number(c, "mean"), r.number(c, "std"),
                                    c.get("fill") == null ? Double.NaN : r.number(c, "fill"));
                            case "categorical" -> new Categorical(name, r.strings(c.get("vocabulary"), "vocabulary"),
                                    c.get("fill") == null ? null : r.string(c, "fill"));
                            default -> throw r.bad("column type '" + c.get("type") + "' (numeric, categorical)");
                        });
                    }
                    yield new Preprocessing.Table(cols, target);
                }
                case "images" -> new Preprocessing.Images((int) r.number(m, "channels"), (int) r.number(m, "height"), (int) r.number(m, "width"),
                        r.number(m, "mean"), r.number(m, "std"), target);
                case "arrays" -> new Preprocessing.Arrays(r.list(m.get("shape"), "shape").stream().mapToInt(o -> (int) r.asNumber(o, "shape")).toArray(),
                        r.numbers(m.get("mean"), "mean"), r.numbers(m.get("std"), "std"), target);
                default -> throw r.bad("kind '" + m.get("kind") + "' (table, images, arrays)");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": bad preprocessing record: " + e.getMessage(), e);
        }
    }

    private static Target target(Reader r, Map<String, Object> t) {
        String column = r.string(t, "column");
        return switch (r.string(t, "type")) {
            case "classes" -> new Classes(column, r.strings(t.get("names"), "names"));
            case "regression" -> new Regression(column, r.number(t, "mean"), r.number(t, "std"));
            default -> throw r.bad("target type '" + t.get("type") + "' (classes, regression)");
        };
    }

    /** Typed access to parsed JSON, each failure naming the source and field. */
    private record Reader(String source) {
        IllegalArgumentException bad(String what) { return new IllegalArgumentException(source + ": bad preprocessing record: " + what); }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(Object o, String field) {
            if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
            throw bad("'" + field + "' is not an object");
        }

        List<?> list(Object o, String field) {
            if (o instanceof List<?> l) return l;
            throw bad("'" + field + "' is not a list");
        }

        List<String> strings(Object o, String field) {
            List<String> out = new ArrayList<>();
            for (Object e : list(o, field)) {
                if (!(e instanceof String s)) throw bad("'" + field + "' holds a non-string " + e);
                out.add(s);
            }
            return out;
        }

        String string(Map<String, Object> m, String field) {
            if (m.get(field) instanceof String s) return s;
            throw bad("'" + field + "' is not a string");
        }

        double[] numbers(Object o, String field) { return list(o, field).stream().mapToDouble(e -> asNumber(e, field)).toArray(); }

        double number(Map<String, Object> m, String field) { return asNumber(m.get(field), field); }

        double asNumber(Object o, String field) {
            if (o instanceof Number n) return n.doubleValue();
            throw bad("'" + field + "' is not a number");
        }
    }
}
