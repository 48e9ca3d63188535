package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Convolution and pooling kernels against the double-precision reference, forward and backward. */
class ConvTest {
    @AfterEach void restoreThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    static Stream<ConvGeometry> geometries() {
        return Stream.of(
                new ConvGeometry(2, 1, 28, 28, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // Fashion CNN conv1, small
                new ConvGeometry(3, 5, 9, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1),       // stride 2, odd sizes
                new ConvGeometry(1, 3, 10, 71, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // stride 2, wide rows (vector even-lane im2col), input at the array's end
                new ConvGeometry(1, 3, 17, 17, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // MobileNetV2 stem shape, batch 1
                new ConvGeometry(2, 4, 10, 12, 6, 5, 3, 1, 2, 2, 0, 1, 1, 1),     // rectangular kernel and stride
                new ConvGeometry(2, 3, 11, 11, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1),     // dilation 2
                new ConvGeometry(2, 6, 8, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3),       // groups 3
                new ConvGeometry(2, 8, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8),     // depthwise stride 1
                new ConvGeometry(3, 5, 13, 11, 5, 3, 3, 2, 2, 1, 1, 1, 1, 5),     // depthwise stride 2
                new ConvGeometry(1, 3, 9, 40, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3),      // depthwise 3x3 s2 row kernel, even width (vector loop + tail)
                new ConvGeometry(2, 2, 8, 69, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2),      // depthwise 3x3 s2 row kernel, odd width and even height
                new ConvGeometry(1, 3, 12, 10, 3, 5, 5, 2, 2, 2, 2, 1, 1, 3),     // depthwise stride 2, 5x5, even width
                new ConvGeometry(2, 2, 7, 8, 2, 3, 3, 2, 2, 0, 0, 1, 1, 2),       // depthwise stride 2, no padding
                new ConvGeometry(2, 4, 9, 9, 4, 5, 5, 1, 1, 4, 4, 2, 2, 4),       // depthwise dilated, big padding
                new ConvGeometry(2, 16, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // pointwise
                new ConvGeometry(1, 7, 5, 5, 3, 5, 5, 1, 1, 0, 0, 1, 1, 1),       // kernel = input
                new ConvGeometry(2, 3, 6, 6, 2, 1, 1, 2, 2, 0, 0, 1, 1, 1));      // 1x1 stride 2 (needs im2col)
    }

    static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static double[] dbl(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static void close(float[] actual, double[] expected, String what) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s at %d", what, i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(expected[i]))));
        }
    }

    @ParameterizedTest @MethodSource("geometries")
    void forwardAndBackwardMatchTheReference(ConvGeometry g) {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            Random r = new Random(g.hashCode());
            int xs = g.n() * g.c() * g.h() * g.w(), ws = g.o() * g.cg() * g.kh() * g.kw(), ys = g.n() * g.o() * g.oh() * g.ow();
            float[] x = rand(r, xs), w = rand(r, ws), b = rand(r, g.o()), gy = rand(r, ys);
            float[] y = new float[ys];
            Conv2d.forward(g, x, w, b, y);
            double[] yr = new double[ys];
            ConvReference.forward(g, dbl(x), dbl(w), dbl(b), yr);
            close(y, yr, "forward " + g);

            float[] dx = new float[xs], dw = new float[ws], db = new float[g.o()];
            java.util.Arrays.fill(dx, 9f);  // kernels must overwrite, not accumulate
            java.util.Arrays.fill(dw, 9f);
            Conv2d.backwardData(g, w, gy, dx);
            Conv2d.backwardWeight(g, x, gy, dw);
            Conv2d.backwardBias(g, gy, db);
            double[] dxr = new double[xs], dwr = new double[ws];
            ConvReference.backward(g, dbl(x), dbl(w), dbl(gy), dxr, dwr);
            close(dx, dxr, "backward data " + g);
            close(dw, dwr, "backward weight " + g);
            double[] dbr = new double[g.o()];
            for (int n = 0; n < g.n(); n++) for (int o = 0; o < g.o(); o++) for (int p = 0; p < g.oh() * g.ow(); p++) dbr[o] += gy[(n * g.o() + o) * g.oh() * g.ow() + p];
            close(db, dbr, "backward bias " + g);
        }
    }

    static Stream<ConvGeometry> pools() {
        return Stream.of(
                new ConvGeometry(2, 3, 28, 28, 3, 2, 2, 2, 2, 0, 0, 1, 1, 3),
                new ConvGeometry(2, 2, 7, 9, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2),
                new ConvGeometry(1, 4, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4),
                new ConvGeometry(1, 2, 6, 6, 2, 6, 6, 1, 1, 0, 0, 1, 1, 2));  // global
    }

    @ParameterizedTest @MethodSource("pools")
    void poolingMatchesTheReference(ConvGeometry g) {
        Random r = new Random(g.hashCode());
        int xs = g.n() * g.c() * g.h() * g.w(), ys = g.n() * g.c() * g.oh() * g.ow();
        float[] x = rand(r, xs), gy = rand(r, ys);
        float[] y = new float[ys];
        double[] yr = new double[ys];
        int[] arg = Pool2d.maxForward(g, x, y);
        assertThat(arg).containsExactly(ConvReference.maxPool(g, dbl(x), yr));
        close(y, yr, "max " + g);
        for (boolean countPad : new boolean[] {true, false}) {
            Pool2d.avgForward(g, x, y, countPad);
            ConvReference.avgPool(g, dbl(x), yr, countPad);
            close(y, yr, "avg " + countPad + " " + g);
            float[] dx = new float[xs];
            double[] dxr = new double[xs];
            Pool2d.avgBackward(g, gy, dx, countPad);
            ConvReference.avgPoolBackward(g, dbl(gy), dxr, countPad);
            close(dx, dxr, "avg backward " + countPad + " " + g);
        }
    }

    @Test void maxPoolPropagatesNaNLikeTheReference() {
        for (ConvGeometry g : new ConvGeometry[] {new ConvGeometry(1, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 1, 1, 1), new ConvGeometry(1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1)}) {
            float[] x = rand(new Random(2), 16);
            x[5] = Float.NaN;
            x[6] = Float.NaN;
            float[] y = new float[g.oh() * g.ow()];
            double[] yr = new double[y.length];
            assertThat(Pool2d.maxForward(g, x, y)).containsExactly(ConvReference.maxPool(g, dbl(x), yr));
            assertThat(Float.isNaN(y[0])).isTrue();
        }
    }

    @Test void geometryRejectsBadShapesNamingThem() {
        assertThatThrownBy(() -> new ConvGeometry(1, 3, 4, 4, 8, 7, 7, 1, 1, 1, 1, 1, 1, 1))
                .hasMessageContaining("kernel 7x7 is larger than the padded input 6x6");
        assertThatThrownBy(() -> new ConvGeometry(1, 6, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4))
                .hasMessageContaining("groups 4 must divide input channels 6 and output channels 8");
        assertThatThrownBy(() -> new ConvGeometry(1, 3, 8, 8, 8, 3, 3, 0, 1, 1, 1, 1, 1, 1)).hasMessageContaining("stride 0x1");
    }
}
