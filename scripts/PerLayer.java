import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.onnx.OnnxImport;
import dev.lathe.predict.Predictor;
import dev.lathe.runtime.Session;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the time goes, layer by layer, against ONNX Runtime: PerLayer MODEL.onnx THREADS [LAYOUT].
 * Both run in one JVM in alternating rounds (ONNX Runtime with its profiler on, Lathe through
 * Session.profile), each layer's minimum kept; ONNX Runtime's nodes are matched to Lathe's steps by
 * name (its fused nodes carry the first node's name; a Sequential model's numbered steps may not
 * match and are listed apart). LAYOUT is a Session.Layout (default
 * CHANNELS_LAST: steps one by one; FUSED hides the fused blocks' inner steps).
 */
public final class PerLayer {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        Session.Layout layout = Session.Layout.valueOf(args.length > 2 ? args[2] : "CHANNELS_LAST");
        Predictor p = OnnxImport.predictor(file, threads);
        Session lathe = new Session(p.plan(), threads, layout);
        Path prefix = Files.createTempDirectory("lathe-per-layer").resolve("ort");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.enableProfiling(prefix.toString());
            try (OrtSession ort = env.createSession(file.toString(), o)) {
                String input = ort.getInputInfo().keySet().iterator().next();
                long[] shape = Arrays.stream(p.plan().input().dims()).asLongStream().toArray();
                float[] data = new float[p.inputSize()];
                Random r = new Random(0);
                for (int i = 0; i < data.length; i++) data[i] = r.nextFloat();
                int n = p.plan().steps().size(), calls = 10;
                double[] best = new double[n];
                Arrays.fill(best, Double.MAX_VALUE);
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape)) {
                    Map<String, OnnxTensor> feed = Map.of(input, x);
                    long until = System.nanoTime() + 3_000_000_000L;
                    while (System.nanoTime() < until) {
                        lathe.predict(data);
                        ort.run(feed).close();
                    }
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < calls; i++) ort.run(feed).close();
                        double[] ms = lathe.profile(data, calls);
                        for (int i = 0; i < n; i++) best[i] = Math.min(best[i], ms[i]);
                    }
                }
                Path profile = Path.of(ort.endProfiling());
                String json = Files.readString(profile);
                Files.delete(profile);
                Matcher m = Pattern.compile("\"dur\" :(\\d+),[^\\n]*?\"name\" :\"([^\"]+)_kernel_time\"").matcher(json);
                Map<String, Integer> nodes = new LinkedHashMap<>();
                while (m.find()) nodes.merge(m.group(2), Integer.parseInt(m.group(1)), Math::min);
                Set<String> matched = new HashSet<>();
                double lt = 0, ot = 0;
                for (int i = 0; i < n; i++) {
                    String step = p.plan().steps().get(i).name();
                    double om = 0;
                    for (Map.Entry<String, Integer> e : nodes.entrySet()) {
                        String node = e.getKey();
                        boolean mine = node.equals(step) || node.equals("fused " + step) || node.startsWith(step + "_") || node.startsWith(step + ":");
                        if (mine && matched.add(node)) om += e.getValue() / 1000.0;
                    }
                    lt += best[i];
                    ot += om;
                    if (best[i] > 0.003 || om > 0.003) {
                        System.out.printf(Locale.ROOT, "layer %-18s lathe %.4f ms ort %.4f ms lathe/ort %s%n", step, best[i], om, om > 0 ? String.format(Locale.ROOT, "%.2f", best[i] / om) : "-");
                    }
                }
                for (Map.Entry<String, Integer> e : nodes.entrySet()) {
                    if (matched.contains(e.getKey())) continue;
                    ot += e.getValue() / 1000.0;
                    System.out.printf(Locale.ROOT, "layer (ort only) %-30s ort %.4f ms%n", e.getKey(), e.getValue() / 1000.0);
                }
                System.out.printf(Locale.ROOT, "layers %s threads %d lathe %.3f ms ort %.3f ms lathe/ort %.2f (sums of per-layer minima)%n",
                        file.getFileName(), threads, lt, ot, lt / ot);
            }
        }
    }
}
