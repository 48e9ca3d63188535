package dev.lathe.labs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a lab found: named numbers (tests check them), free text lines (tables), and the files it wrote. */
public final class LabResult {
    private final String lab;
    private final Map<String, Double> numbers = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    public LabResult(String lab) { this.lab = lab; }

    public LabResult number(String key, double value) {
        numbers.put(key, value);
        return this;
    }

    public LabResult line(String text) {
        lines.add(text);
        return this;
    }

    public LabResult file(Path p) {
        files.add(p);
        return this;
    }

    public String lab() { return lab; }

    public double number(String key) {
        Double v = numbers.get(key);
        if (v == null) throw new IllegalArgumentException("lab " + lab + " reported no number '" + key + "' (has " + numbers.keySet() + ")");
        return v;
    }

    public Map<String, Double> numbers() { return Collections.unmodifiableMap(numbers); }

    public List<String> lines() { return Collections.unmodifiableList(lines); }

    public List<Path> files() { return Collections.unmodifiableList(files); }

    /** The report printed by {@code lathe lab}: text lines, then the numbers, then the files. */
    public String report() {
        StringBuilder sb = new StringBuilder("lab ").append(lab).append('\n');
        for (String l : lines) sb.append("  ").append(l).append('\n');
        numbers.forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(format(v)).append('\n'));
        for (Path f : files) sb.append("  wrote ").append(f).append('\n');
        return sb.toString();
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        return String.format(java.util.Locale.ROOT, "%.5g", v);
    }
}
