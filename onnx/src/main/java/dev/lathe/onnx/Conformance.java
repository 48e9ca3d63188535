package dev.lathe.onnx;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import onnx.Onnx.TensorProto;

/**
 * Runs the ONNX backend test suite's directories (each test: model.onnx and test_data_set_N with
 * input_K.pb / output_K.pb TensorProtos) and compares every output at the suite's tolerance,
 * |actual - expected| <= 1e-7 + 1e-3 |expected|. A test is passed only when every data set
 * matches; an operator, attribute or type Lathe lacks makes it unsupported, never passed.
 */
public final class Conformance {
    static final double RTOL = 1e-3, ATOL = 1e-7;

    private Conformance() {}

    public enum Outcome { PASSED, FAILED, UNSUPPORTED }

    public record TestResult(String name, Outcome outcome, String detail) {}

    public record Summary(List<TestResult> results) {
        public long count(Outcome o) { return results.stream().filter(r -> r.outcome() == o).count(); }

        public String line() {
            return "result passed=" + count(Outcome.PASSED) + " failed=" + count(Outcome.FAILED) + " unsupported=" + count(Outcome.UNSUPPORTED) + " total=" + results.size();
        }
    }

    /** Every test under dir: dir itself if it is one test, else its test_* folders, one level of suites deep. */
    public static Summary run(Path dir, PrintWriter out) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such directory (the ONNX backend tests come with 'sudo apt-get install libonnx-testdata')");
        List<Path> tests = new ArrayList<>();
        collect(dir, tests, 0);
        if (tests.isEmpty()) throw new IOException(dir + ": no ONNX tests found (expected folders with model.onnx and test_data_set_*)");
        List<TestResult> results = new ArrayList<>();
        for (Path t : tests) {
            String name = dir.relativize(t).toString();
            if (name.isEmpty()) name = t.getFileName().toString();
            TestResult r = runOne(name, t);
            results.add(r);
            if (out != null) {
                out.println(r.outcome().name().toLowerCase() + " " + r.name() + (r.detail().isEmpty() ? "" : ": " + r.detail()));
                out.flush();
            }
        }
        Summary s = new Summary(results);
        if (out != null) out.println(s.line());
        return s;
    }

    private static void collect(Path dir, List<Path> tests, int depth) throws IOException {
        if (Files.exists(dir.resolve("model.onnx"))) {
            tests.add(dir);
            return;
        }
        if (depth > 2) return;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).sorted().toList()) collect(p, tests, depth + 1);
        }
    }

    static TestResult runOne(String name, Path test) {
        try {
            OnnxModel m = OnnxModel.load(test.resolve("model.onnx"));
            List<Path> sets;
            try (Stream<Path> s = Files.list(test)) {
                sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
            }
            if (sets.isEmpty()) return new TestResult(name, Outcome.FAILED, "no test_data_set_* folder");
            for (Path set : sets) {
                Map<String, Value> feeds = new LinkedHashMap<>();
                List<String> inNames = m.inputNames();
                for (int k = 0; Files.exists(set.resolve("input_" + k + ".pb")); k++) {
                    if (k >= inNames.size()) return new TestResult(name, Outcome.FAILED, "more input files than model inputs");
                    feeds.put(inNames.get(k), read(set.resolve("input_" + k + ".pb")));
                }
                Map<String, Value> got = m.run(feeds);
                List<String> outNames = m.outputNames();
                for (int k = 0; Files.exists(set.resolve("output_" + k + ".pb")); k++) {
                    Value expected = read(set.resolve("output_" + k + ".pb"));
                    String why = compare(got.get(outNames.get(k)), expected);
                    if (why != null) return new TestResult(name, Outcome.FAILED, set.getFileName() + " output " + outNames.get(k) + ": " + why);
                }
            }
            return new TestResult(name, Outcome.PASSED, "");
        } catch (UnsupportedOperatorException | UnsupportedOperationException e) {
            return new TestResult(name, Outcome.UNSUPPORTED, e.getMessage());
        } catch (Exception e) {
            return new TestResult(name, Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** A TensorProto file (the suite's input_K.pb / output_K.pb) as a value. */
    public static Value read(Path pb) throws IOException {
        TensorProto t;
        try {
            t = TensorProto.parseFrom(Files.readAllBytes(pb));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new UnsupportedOperationException(pb.getFileName() + " is not a TensorProto (sequence or map data)");
        }
        return TensorProtos.read(t, pb.toString());
    }

    /** Null when equal within tolerance, else why not. */
    static String compare(Value got, Value expected) {
        if (got == null) return "not produced";
        if (!java.util.Arrays.equals(got.shape(), expected.shape())) {
            return "shape " + java.util.Arrays.toString(got.shape()) + ", expected " + java.util.Arrays.toString(expected.shape());
        }
        double[] a = got.tensor().toDoubleArray(), e = expected.tensor().toDoubleArray();
        boolean exact = expected.isInteger();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(e[i]) && Double.isNaN(a[i])) continue;
            if (a[i] == e[i]) continue;
            if (exact || !(Math.abs(a[i] - e[i]) <= ATOL + RTOL * Math.abs(e[i]))) return "element " + i + " is " + a[i] + ", expected " + e[i];
        }
        return null;
    }
}
