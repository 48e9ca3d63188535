package dev.lathe.cli;

import dev.lathe.kernels.Conv2d;
import dev.lathe.kernels.ConvGeometry;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Convolution throughput on the layer shapes that matter here: the Fashion CNN's two convolutions
 * (batch 64, training) and MobileNetV2's kinds at 224x224 (batch 1, inference): the 3x3 stride-2
 * stem, depthwise 3x3 (stride 1 and 2) and 1x1 pointwise. One line per shape, pass and thread count:
 * {@code conv NAME PASS threads T ms M gflops G} with GFLOPS = 2 * MACs / time.
 */
final class ConvBench {
    private ConvBench() {}

    static Map<String, ConvGeometry> shapes() {
        Map<String, ConvGeometry> m = new LinkedHashMap<>();
        m.put("fashion_conv1_b64", new ConvGeometry(64, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        m.put("fashion_conv2_b64", new ConvGeometry(64, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1));
        m.put("mnv2_stem_3x3s2", new ConvGeometry(1, 3, 224, 224, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1));
        m.put("mnv2_dw3x3_112", new ConvGeometry(1, 32, 112, 112, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32));
        m.put("mnv2_dw3x3s2_112", new ConvGeometry(1, 96, 112, 112, 96, 3, 3, 2, 2, 1, 1, 1, 1, 96));
        m.put("mnv2_pw_32to16_112", new ConvGeometry(1, 32, 112, 112, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1));
        m.put("mnv2_pw_144to24_56", new ConvGeometry(1, 144, 56, 56, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1));
        m.put("mnv2_pw_960to160_7", new ConvGeometry(1, 960, 7, 7, 160, 1, 1, 1, 1, 0, 0, 1, 1, 1));
        return m;
    }

    static void run(PrintWriter out, int[] threads, double seconds) {
        KernelTiming.atEachThreadCount(threads, t -> {
            for (Map.Entry<String, ConvGeometry> e : shapes().entrySet()) {
                ConvGeometry g = e.getValue();
                Random r = new Random(1);
                float[] x = rand(r, g.n() * g.c() * g.h() * g.w()), w = rand(r, g.o() * g.cg() * g.kh() * g.kw()), b = rand(r, g.o());
                float[] y = new float[g.n() * g.o() * g.oh() * g.ow()], dx = new float[x.length], dw = new float[w.length];
                print(out, e.getKey(), "fwd", t, g, KernelTiming.secondsPerCall(() -> Conv2d.forward(g, x, w, b, y), seconds, 0.4));
                print(out, e.getKey(), "bwd_data", t, g, KernelTiming.secondsPerCall(() -> Conv2d.backwardData(g, w, y, dx), seconds, 0.4));
                print(out, e.getKey(), "bwd_weight", t, g, KernelTiming.secondsPerCall(() -> Conv2d.backwardWeight(g, x, y, dw), seconds, 0.4));
            }
        });
    }

    private static void print(PrintWriter out, String name, String pass, int t, ConvGeometry g, double secondsPerCall) {
        out.printf(Locale.ROOT, "conv %s %s threads %d ms %.3f gflops %.1f%n", name, pass, t, secondsPerCall * 1e3, 2.0 * g.macs() / secondsPerCall / 1e9);
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
