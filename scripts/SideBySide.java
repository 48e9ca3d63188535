import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.onnx.OnnxImport;
import dev.lathe.predict.Predictor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Lathe's batch-1 session and ONNX Runtime (Java, same JVM) on the same .onnx file, same input, same
 * thread count, timed in alternating blocks so that a slow spell of this VM lands on both alike:
 * SideBySide MODEL.onnx [rounds]. Prints per thread count the p50 and p90 of each over all blocks,
 * their ratio, and the largest output difference (both engines must compute the same function).
 * Each block starts with SETTLE untimed calls (and SETTLE_NANOS): ONNX Runtime's pool threads go on spinning after its
 * block ends, and on two threads that slowed Lathe's first four or five calls to 13-15 ms against 8
 * (mean by position in the block, 2026-12-02; with ONNX Runtime's spinning turned off, 7.4 against
 * 6.9). Untimed calls give each engine its own steady state, as in a process of its own; both get them.
 */
public final class SideBySide {
    static final int BLOCK = 25, SETTLE = 8;
    static final long SETTLE_NANOS = 50_000_000L;  // and at least this long: a small model's eight calls are over in a millisecond

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String name = file.getFileName().toString().replaceAll("\\.onnx$", "");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int threads : new int[] {1, 2}) {
            Predictor lathe = OnnxImport.predictor(file, threads);
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                // the anchors' OrtBench settings
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession ort = env.createSession(file.toString(), o)) {
                    Map.Entry<String, NodeInfo> in = ort.getInputInfo().entrySet().iterator().next();
                    long[] shape = Arrays.stream(lathe.plan().input().dims()).asLongStream().toArray();
                    float[] data = new float[lathe.inputSize()], mine = new float[lathe.outputSize()];
                    Random rnd = new Random(0);
                    for (int i = 0; i < data.length; i++) data[i] = rnd.nextFloat();
                    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                        Map<String, OnnxTensor> feed = Map.of(in.getKey(), x);
                        Runnable l = () -> lathe.predict(data, mine), r = () -> { try { ort.run(feed).close(); } catch (Exception e) { throw new IllegalStateException(e); } };
                        long until = System.nanoTime() + 3_000_000_000L;  // both warmed up, Lathe's JIT included
                        while (System.nanoTime() < until) { l.run(); r.run(); }
                        double[] tl = new double[rounds * BLOCK], tr = new double[rounds * BLOCK];
                        for (int round = 0; round < rounds; round++) {
                            time(l, tl, round * BLOCK);
                            time(r, tr, round * BLOCK);
                        }
                        float[] theirs;
                        try (OrtSession.Result res = ort.run(feed)) { theirs = flatten(res.get(0).getValue()); }
                        double diff = 0;
                        for (int i = 0; i < mine.length; i++) diff = Math.max(diff, Math.abs(mine[i] - theirs[i]));
                        Arrays.sort(tl);
                        Arrays.sort(tr);
                        double pl = tl[tl.length / 2], pr = tr[tr.length / 2];
                        System.out.printf(Locale.ROOT, "side %s threads %d lathe_p50 %.3f ms lathe_p90 %.3f ort_p50 %.3f ms ort_p90 %.3f lathe/ort %.2f max_output_diff %.1e runs %d%n",
                                name, threads, pl, tl[tl.length * 9 / 10], pr, tr[tr.length * 9 / 10], pl / pr, diff, tl.length);
                    }
                }
            }
        }
    }

    private static void time(Runnable call, double[] ms, int at) {
        long until = System.nanoTime() + SETTLE_NANOS;
        for (int i = 0; i < SETTLE || System.nanoTime() < until; i++) call.run();
        for (int i = 0; i < BLOCK; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[at + i] = (System.nanoTime() - t0) / 1e6;
        }
    }

    private static float[] flatten(Object v) {
        if (v instanceof float[] f) return f;
        Object[] rows = (Object[]) v;
        return Arrays.stream(rows).map(SideBySide::flatten).reduce((a, b) -> {
            float[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }).orElse(new float[0]);
    }
}
