package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.Path.BLOCKED_WINDOWS;
import static dev.lathe.kernels.ChannelsLast.Path.POINTWISE_BLOCKS;
import static dev.lathe.kernels.ChannelsLast.Path.POINTWISE_BLOCKS_PACKED;
import static dev.lathe.kernels.ChannelsLast.Path.POINTWISE_PANELS;
import static dev.lathe.kernels.ChannelsLast.Path.POINTWISE_PANELS_CHUNKED;
import static dev.lathe.kernels.ChannelsLast.Path.POINTWISE_PANELS_PACKED;
import static dev.lathe.kernels.ChannelsLast.Path.SINGLE_CHANNEL_3X3;
import static dev.lathe.kernels.ChannelsLast.Path.SINGLE_CHANNEL_3X3_PADDED;
import static dev.lathe.kernels.ChannelsLast.Path.WINDOWS;
import static dev.lathe.kernels.ChannelsLast.Path.WINDOWS_PADDED;
import static dev.lathe.kernels.ConvTest.close;
import static dev.lathe.kernels.ConvTest.dbl;
import static dev.lathe.kernels.ConvTest.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The channels-last inference kernels against the channels-first double-precision reference
 * (inputs transposed in, outputs transposed back), on 1 and 2 threads, and the fused inverted
 * residual block against its three unfused kernels.
 */
class ChannelsLastTest {
    @AfterEach void restoreThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    static Stream<ConvGeometry> dense() {
        return Stream.of(
                new ConvGeometry(1, 16, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1),      // pointwise: 49 pixels (edge block of 1), 16 + 8 output columns
                new ConvGeometry(1, 24, 14, 14, 144, 1, 1, 1, 1, 0, 0, 1, 1, 1),   // 4.5 panels; fewer pixels than outputs: panel-first order
                new ConvGeometry(1, 64, 32, 32, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1),    // 4M MACs: split over two threads
                new ConvGeometry(1, 5, 9, 9, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1),        // fewer outputs than a vector
                new ConvGeometry(1, 96, 7, 7, 200, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // deep, few pixels: A packed once for every panel (200 = 6 panels + 8)
                new ConvGeometry(1, 160, 7, 7, 440, 1, 1, 1, 1, 0, 0, 1, 1, 1),    // few pixels, 3.4M MACs: two threads take 3 and 4 pixel blocks, panel by panel
                new ConvGeometry(1, 192, 5, 7, 72, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // 192 deep, few pixels: A channel-blocked, two K chunks of 96, 4 full blocks + 3 rows, 72 = 64 + 8
                new ConvGeometry(1, 64, 19, 19, 136, 1, 1, 1, 1, 0, 0, 1, 1, 1),   // deep and wide, many pixels: packed block by block, edge of 1
                new ConvGeometry(1, 3, 17, 17, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // MobileNetV2 stem shape: gathered patches of 3 channels
                new ConvGeometry(1, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),    // Fashion CNN conv2: channel-blocked rows, a panel pair, rows of 6 + 8
                new ConvGeometry(1, 32, 9, 11, 104, 5, 3, 1, 1, 2, 0, 1, 1, 1),    // blocked rows: 5x3, a pair, a panel and 8 more outputs, rows of 8 + 3 (an edge tile)
                new ConvGeometry(1, 16, 30, 30, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),    // blocked rows split over two threads: a part's copy starts at its own row
                new ConvGeometry(1, 1, 28, 28, 32, 5, 5, 1, 1, 2, 2, 1, 1, 1),     // one input channel, 5x5
                new ConvGeometry(1, 4, 10, 12, 6, 5, 3, 1, 2, 2, 0, 1, 1, 1),      // rectangular kernel and stride
                new ConvGeometry(1, 3, 11, 11, 40, 3, 3, 1, 1, 2, 2, 2, 2, 1),     // dilation 2, 40 = 32 + 8 outputs
                new ConvGeometry(1, 6, 6, 6, 33, 1, 1, 2, 2, 0, 0, 1, 1, 1),       // 1x1 stride 2 (gathered)
                new ConvGeometry(1, 96, 5, 5, 56, 1, 1, 1, 1, 0, 0, 1, 1, 1),      // packed A, a last panel of 24 columns, a last block of 1 row
                new ConvGeometry(1, 66, 5, 5, 72, 1, 1, 1, 1, 0, 0, 1, 1, 1),      // packed A, K = 66: four k streams of 16 and 2 left over
                new ConvGeometry(1, 40, 5, 7, 48, 1, 1, 1, 1, 0, 0, 1, 1, 1),      // a last block of 3 rows, row by row from the edge copy; odd K
                new ConvGeometry(1, 8, 12, 12, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // windows in place and gathered, 24 columns
                new ConvGeometry(1, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),    // a border over a tenth of the pixels: run over a padded copy
                new ConvGeometry(1, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // Fashion CNN conv1: the one-channel 3x3 kernel, padded input
                new ConvGeometry(1, 1, 96, 96, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // one channel, large enough to split: each part pads its own rows
                new ConvGeometry(1, 32, 28, 28, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1),    // padded copy, stride 2, split: a part's rows start at 2 * from
                new ConvGeometry(1, 1, 11, 9, 20, 3, 3, 2, 2, 0, 0, 1, 1, 1),      // one channel, stride 2, no padding, 20 outputs (masked), 4-pixel tail of 0
                new ConvGeometry(1, 1, 10, 13, 48, 3, 3, 1, 2, 1, 2, 1, 1, 1));    // one channel, uneven stride and padding, 32 + 16 outputs, a 3-pixel tail
    }

    @ParameterizedTest @MethodSource("dense")
    void convMatchesTheReference(ConvGeometry g) {
        for (int act = Epilogue.NONE; act <= Epilogue.RELU6; act++) {
            int activation = act;
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                Random r = new Random(g.hashCode() + act);
                float[] x = rand(r, g.c() * g.h() * g.w()), w = rand(r, g.o() * g.c() * g.kh() * g.kw()), b = rand(r, g.o());
                for (int i = 0; i < x.length; i++) x[i] *= 3;  // past ReLU6's clamp
                float[] y = run(g, x, 5, hwcOut(g), (xl, xo, yl, yo) -> ChannelsLast.conv(ChannelsLast.pack(g, w, b), xl, xo, yl, yo, activation));
                double[] ref = new double[g.o() * g.oh() * g.ow()];
                ConvReference.forward(g, dbl(x), dbl(w), dbl(b), ref);
                close(y, activate(ref, act), "conv " + g + " activation " + act + " threads " + threads);
            }
        }
    }

    /** First convolutions reading channels-first planes (PlanarStem). */
    static Stream<ConvGeometry> stems() {
        return Stream.of(
                new ConvGeometry(1, 3, 17, 17, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // MobileNetV2's stem shape: rows of 8 + 1
                new ConvGeometry(1, 3, 23, 29, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // rows of 8 + 7, 32 + 8 outputs
                new ConvGeometry(1, 2, 12, 12, 20, 5, 5, 1, 1, 2, 2, 1, 1, 1),     // stride 1, 5x5, 16 + 4 outputs
                new ConvGeometry(1, 4, 30, 30, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1),     // a ResNet-style 7x7 stride-2 stem, split over two threads
                new ConvGeometry(1, 3, 9, 10, 24, 3, 3, 1, 1, 0, 0, 1, 1, 1),      // no padding: rows of exactly 8
                new ConvGeometry(1, 3, 7, 70, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1),      // stride 2, rows long enough to split two vectors at a time (and 6 left)
                new ConvGeometry(1, 2, 6, 41, 16, 3, 3, 2, 2, 0, 0, 1, 1, 1),      // stride 2 without padding: even columns to the first half
                new ConvGeometry(1, 3, 16, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1),     // whole blocks and panels: taps read from the planes in place, stride 2
                new ConvGeometry(1, 2, 10, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // in place, stride 1, two panels
                new ConvGeometry(1, 4, 96, 96, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1));    // in place, 7x7 stride 2, split over two threads
    }

    @ParameterizedTest @MethodSource("stems")
    void planarStemMatchesTheReference(ConvGeometry g) {
        // the dispatch decision is checked at every width; the stem itself runs where it is dispatched to
        String host = ExpectedDispatch.planarStemUnfit(), unfit = PlanarStem.unfit(g);
        if (host == null) assertThat(unfit).as("why the stem does not run %s", g).isNull();
        else assertThat(unfit).as("why the stem does not run %s", g).startsWith(host);
        assumeTrue(host == null, () -> "the planar stem does not run on this JVM: " + unfit);
        for (int act = Epilogue.NONE; act <= Epilogue.RELU6; act++) {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                Random r = new Random(g.hashCode() + act);
                float[] x = rand(r, g.c() * g.h() * g.w()), w = rand(r, g.o() * g.c() * g.kh() * g.kw()), b = rand(r, g.o());
                for (int i = 0; i < x.length; i++) x[i] *= 3;  // past ReLU6's clamp
                PlanarStem stem = new PlanarStem(g, w, b);
                float[] planes = new float[stem.planesSize()], in = new float[x.length + 3];
                System.arraycopy(x, 0, in, 3, x.length);
                stem.copyIn(in, 3, planes);
                float[] yl = new float[2 + hwcOut(g)], y = new float[hwcOut(g)];
                java.util.Arrays.fill(yl, Float.NaN);  // every output must be written
                stem.run(planes, yl, 2, act);
                ChannelsLast.toChannelsFirst(yl, 2, g.o(), g.oh() * g.ow(), y, 0);
                double[] ref = new double[g.o() * g.oh() * g.ow()];
                ConvReference.forward(g, dbl(x), dbl(w), dbl(b), ref);
                close(y, activate(ref, act), "planar stem " + g + " activation " + act + " threads " + threads);
            }
        }
    }

    @Test void planarStemRejectsWhatItDoesNotRun() {
        // geometry first: these reasons hold at any vector width and in scalar mode
        assertThat(PlanarStem.unfit(new ConvGeometry(1, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1))).isEqualTo("1 input channel, not 2-4");  // its own kernel
        assertThat(PlanarStem.unfit(new ConvGeometry(1, 8, 28, 28, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1))).isEqualTo("8 input channels, not 2-4");
        assertThat(PlanarStem.unfit(new ConvGeometry(1, 3, 28, 28, 32, 3, 3, 3, 3, 1, 1, 1, 1, 1))).isEqualTo("stride 3x3, not 1 or 2");
        assertThat(PlanarStem.unfit(new ConvGeometry(2, 3, 28, 28, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1))).isEqualTo("a batch of 2, not one image");
        assertThat(PlanarStem.unfit(new ConvGeometry(1, 3, 28, 28, 32, 1, 1, 1, 1, 0, 0, 1, 1, 1))).isEqualTo("pointwise (1x1, stride 1, unpadded)");
        ConvGeometry dilated = new ConvGeometry(1, 3, 28, 28, 32, 3, 3, 2, 2, 2, 2, 2, 2, 1);
        assertThat(PlanarStem.fits(dilated)).isFalse();
        assertThatThrownBy(() -> new PlanarStem(dilated, new float[32 * 27], null)).hasMessageEndingWith(": dilated 2x2");
        ConvGeometry ok = new ConvGeometry(1, 3, 28, 28, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        String host = ExpectedDispatch.planarStemUnfit();
        if (host == null) {
            assertThat(PlanarStem.fits(ok)).isTrue();
            assertThatThrownBy(() -> new PlanarStem(ok, new float[30], null)).hasMessageContaining("weights have 30 values, expected 32x27");
        } else {
            // a geometry it runs elsewhere: the constructor refuses it here and says why
            assertThat(PlanarStem.fits(ok)).isFalse();
            assertThatThrownBy(() -> new PlanarStem(ok, new float[32 * 27], null)).hasMessageContaining(": " + host);
        }
    }

    static Stream<ConvGeometry> depthwise() {
        return Stream.of(
                new ConvGeometry(1, 32, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32),   // MobileNetV2's stride 1
                new ConvGeometry(1, 24, 13, 11, 24, 3, 3, 2, 2, 1, 1, 1, 1, 24),   // stride 2, odd sizes, a channel tail of 8
                new ConvGeometry(1, 5, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 5),        // fewer channels than a vector
                new ConvGeometry(1, 20, 12, 10, 20, 5, 5, 2, 2, 2, 2, 1, 1, 20),   // 5x5 (general taps)
                new ConvGeometry(1, 16, 9, 9, 16, 3, 3, 1, 1, 2, 2, 2, 2, 16),     // dilated
                new ConvGeometry(1, 16, 7, 8, 16, 3, 3, 2, 2, 0, 0, 1, 1, 16),     // no padding
                new ConvGeometry(1, 96, 56, 56, 96, 3, 3, 1, 1, 1, 1, 1, 1, 96));  // large enough to split over two threads
    }

    @ParameterizedTest @MethodSource("depthwise")
    void depthwiseMatchesTheReference(ConvGeometry g) {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            for (boolean bias : new boolean[] {true, false}) {
                Random r = new Random(g.hashCode());
                float[] x = rand(r, g.c() * g.h() * g.w()), w = rand(r, g.c() * g.kh() * g.kw()), b = bias ? rand(r, g.c()) : null;
                float[] wt = ChannelsLast.packDepthwise(g, w);
                float[] y = run(g, x, 3, hwcOut(g), (xl, xo, yl, yo) -> ChannelsLast.depthwise(g, xl, xo, wt, b, yl, yo, Epilogue.RELU6));
                double[] ref = new double[g.o() * g.oh() * g.ow()];
                ConvReference.forward(g, dbl(x), dbl(w), b == null ? null : dbl(b), ref);
                close(y, activate(ref, Epilogue.RELU6), "depthwise " + g + " bias " + bias);
            }
        }
    }

    static Stream<ConvGeometry> pools() {
        return Stream.of(
                new ConvGeometry(1, 32, 28, 28, 32, 2, 2, 2, 2, 0, 0, 1, 1, 1),    // 2x2 stride 2: the dedicated loop
                new ConvGeometry(1, 16, 9, 7, 16, 2, 2, 2, 2, 0, 0, 1, 1, 1),      // the same over odd sizes (last row and column dropped)
                new ConvGeometry(1, 20, 13, 13, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                new ConvGeometry(1, 7, 9, 9, 7, 3, 3, 2, 2, 0, 0, 1, 1, 1, true),   // ceil mode: the last window hangs over
                new ConvGeometry(1, 24, 7, 7, 24, 7, 7, 1, 1, 0, 0, 1, 1, 1));      // global average
    }

    @ParameterizedTest @MethodSource("pools")
    void poolingMatchesTheReference(ConvGeometry g) {
        Random r = new Random(g.hashCode());
        float[] x = rand(r, g.c() * g.h() * g.w());
        double[] ref = new double[g.c() * g.oh() * g.ow()];
        ConvReference.maxPool(g, dbl(x), ref);
        close(run(g, x, 0, hwcOut(g), (xl, xo, yl, yo) -> ChannelsLast.maxPool(g, xl, xo, yl, yo)), ref, "max pool " + g);
        for (boolean countPad : new boolean[] {true, false}) {
            ConvReference.avgPool(g, dbl(x), ref, countPad);
            close(run(g, x, 0, hwcOut(g), (xl, xo, yl, yo) -> ChannelsLast.avgPool(g, xl, xo, yl, yo, countPad)), ref, "average pool " + g + " countPad " + countPad);
        }
    }

    /** expansion, stride, residual, size: the fused block equals expand -> depthwise -> project (-> add) run one by one. */
    static Stream<int[]> blocks() {
        return Stream.of(
                new int[] {16, 96, 24, 1, 0, 12, 12},   // expansion 6, stride 1, no residual
                new int[] {24, 144, 24, 1, 1, 9, 7},    // residual, odd width (edge blocks in every row)
                new int[] {16, 96, 24, 2, 0, 13, 11},   // stride 2, odd sizes
                new int[] {32, 32, 16, 1, 0, 10, 10},   // expansion 1: no expansion conv, the depthwise reads the input in place
                new int[] {32, 32, 32, 1, 1, 40, 40},   // expansion 1, residual, split over two threads
                new int[] {32, 32, 16, 2, 0, 11, 9},    // expansion 1, stride 2, odd sizes
                new int[] {16, 96, 16, 1, 1, 40, 40},   // large enough that the rows split over two threads
                new int[] {8, 20, 8, 2, 0, 8, 8},       // channel counts off the vector width
                new int[] {16, 64, 40, 1, 0, 5, 5},     // fewer pixels than outputs (panel by panel), a last panel of 8
                new int[] {160, 960, 160, 1, 1, 7, 7},  // a 7x7 map: two threads split it by channels, 30 expansion panels
                new int[] {128, 528, 40, 1, 0, 6, 7},   // by channels, 16.5 expansion panels, 40 = 32 + 8 outputs
                new int[] {64, 352, 40, 1, 0, 9, 7},    // a projection 352 deep: two K chunks of 176, 63 pixels, 40 = 32 + 8 outputs
                new int[] {16, 64, 16, 1, 1, 5, 2},     // two columns: the row's first and last pixels are both border pixels
                new int[] {16, 64, 16, 2, 0, 5, 2},     // stride 2 over two columns: one output column, its window's first column the padding
                new int[] {16, 64, 16, 2, 0, 6, 5},     // stride 2, odd width: the last window hangs over the right padding
                new int[] {16, 64, 16, 1, 0, 4, 1});    // one column: pixel by pixel
    }

    @ParameterizedTest @MethodSource("blocks")
    void fusedInvertedResidualEqualsItsThreeSteps(int[] b) {
        int cin = b[0], cexp = b[1], cout = b[2], stride = b[3], h = b[5], w = b[6];
        boolean residual = b[4] == 1, expands = cexp != cin;
        Random r = new Random(cin * 31 + cexp + h);
        ConvGeometry eg = new ConvGeometry(1, cin, h, w, cexp, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        ConvGeometry dg = new ConvGeometry(1, cexp, h, w, cexp, 3, 3, stride, stride, 1, 1, 1, 1, cexp);
        ConvGeometry pg = new ConvGeometry(1, cexp, dg.oh(), dg.ow(), cout, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        float[] we = rand(r, cexp * cin), be = rand(r, cexp), wd = rand(r, cexp * 9), bd = rand(r, cexp), wp = rand(r, cout * cexp), bp = rand(r, cout);
        ChannelsLast.PackedConv e = expands ? ChannelsLast.pack(eg, we, be) : null, p = ChannelsLast.pack(pg, wp, bp);
        InvertedResidual block = new InvertedResidual(e, Epilogue.RELU6, dg, wd, bd, Epilogue.RELU6, p, Epilogue.NONE, residual);
        float[] x = rand(r, cin * h * w);
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            float[] mid = new float[cexp * h * w], dwOut = new float[cexp * dg.oh() * dg.ow()], expected = new float[cout * dg.oh() * dg.ow()];
            float[] expanded = mid;
            if (e != null) ChannelsLast.conv(e, x, 0, mid, 0, Epilogue.RELU6);
            else expanded = x;
            ChannelsLast.depthwise(dg, expanded, 0, ChannelsLast.packDepthwise(dg, wd), bd, dwOut, 0, Epilogue.RELU6);
            ChannelsLast.conv(p, dwOut, 0, expected, 0, Epilogue.NONE);
            if (residual) for (int i = 0; i < expected.length; i++) expected[i] += x[i];
            float[] arena = new float[x.length + expected.length + 3];
            System.arraycopy(x, 0, arena, 1, x.length);
            block.run(arena, 1, arena, 2 + x.length);
            float[] got = java.util.Arrays.copyOfRange(arena, 2 + x.length, 2 + x.length + expected.length);
            close(got, dbl(expected), "block " + java.util.Arrays.toString(b) + " threads " + threads);
        }
    }

    /**
     * The channel-blocked 1x1 conv against a double-precision sum, for pixel counts that take every
     * split of the panel-pair tiles (6s, then up to two 8s, 0-3 rows left), outputs of
     * whole pairs, a pair and a panel, and a short last panel, K unchunked and in chunks, both pixel
     * orders, channels-last and channel-blocked output, and a range of output channels. A's padding
     * pixels are NaN (their results must be dropped); outputs outside the range must stay untouched.
     */
    @ParameterizedTest @org.junit.jupiter.params.provider.ValueSource(ints = {32, 96, 192, 352})
    void channelBlockedPointwiseMatchesTheReference(int k) {
        int L = ChannelsLast.L;
        for (int o : new int[] {24, 64, 96, 120, 136, 192}) {  // 24 and 120: a last panel of L < nr < NR (the masked tail tile)
            Random r = new Random(k * 31 + o);
            float[] w = rand(r, o * k), b = rand(r, o);
            ChannelsLast.PackedConv pc = ChannelsLast.pack(new ConvGeometry(1, k, 1, 1, o, 1, 1, 1, 1, 0, 0, 1, 1, 1), w, b);
            for (int m : new int[] {1, 5, 8, 9, 12, 13, 14, 16, 17, 20, 24, 26, 30, 49, 98, 112, 150, 200}) {
                int bs = (m + ChannelsLast.MR - 1) / ChannelsLast.MR * ChannelsLast.MR * L;
                float[] x = rand(r, m * k), a = new float[k / L * bs + 3];
                java.util.Arrays.fill(a, Float.NaN);
                BlockedPointwise.toBlocked(x, 0, m, k, a, 3, bs);
                for (boolean blockedOut : new boolean[] {false, true}) {
                    int from = o > 128 ? 32 : 0, to = o;  // a part of a channel split: its outputs only
                    int rowStep = blockedOut ? L : o, blockStep = blockedOut ? m * L + 5 : L, size = blockedOut ? o / L * blockStep + (o % L == 0 ? 0 : blockStep) : m * o;
                    float[] y = new float[size + 3];
                    java.util.Arrays.fill(y, -7f);
                    BlockedPointwise.pointwiseBlocked(pc, a, 3, bs, m, y, 2, rowStep, blockStep, 0f, 6f, from, to);
                    for (int i = 0; i < m; i++) {
                        for (int c = 0; c < o; c++) {
                            int at = 2 + i * rowStep + c / L * blockStep + c % L;
                            if (c < from) {
                                assertThat(y[at]).as("k %d o %d m %d: channel %d outside the range", k, o, m, c).isEqualTo(-7f);
                                continue;
                            }
                            double s = b[c];
                            for (int q = 0; q < k; q++) s += (double) x[i * k + q] * w[c * k + q];
                            s = Math.min(Math.max(s, 0), 6);
                            assertThat((double) y[at]).as("k %d o %d m %d blocked %b: pixel %d channel %d", k, o, m, blockedOut, i, c).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(s))));
                        }
                        // nothing written past the last channel: a blocked pixel's padding lanes, a channels-last row's successor past the end
                        int pad = blockedOut ? (o + L - 1) / L * L : o + (i == m - 1 ? 1 : 0);
                        for (int c = o; c < pad; c++) assertThat(y[2 + i * rowStep + c / L * blockStep + c % L]).as("k %d o %d m %d blocked %b: pixel %d lane %d past the outputs", k, o, m, blockedOut, i, c).isEqualTo(-7f);
                    }
                }
            }
        }
    }

    /**
     * The path conv takes for a geometry, worked out from this JVM's width and mode (the suite runs at full
     * width, 256 and 128 bits and in scalar mode) rather than from the kernels' constants: scalar mode runs
     * no packed, chunked, channel-blocked, one-channel or padded-copy path; channel-blocked windows need 16 lanes.
     */
    @Test void convPicksItsPathByGeometry() {
        boolean scalar = Boolean.getBoolean("lathe.scalar");
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        assertPath(pointwise(320, 7, 1280), scalar ? POINTWISE_PANELS : POINTWISE_PANELS_CHUNKED);  // MobileNetV2's last 1x1: 49 pixels, 320 deep
        assertPath(pointwise(96, 7, 200), scalar ? POINTWISE_PANELS : POINTWISE_PANELS_PACKED);     // few pixels, deep but under K chunks
        assertPath(pointwise(24, 7, 144), POINTWISE_PANELS);                                          // few pixels, shallow: A in place
        assertPath(pointwise(64, 19, 136), scalar ? POINTWISE_BLOCKS : POINTWISE_BLOCKS_PACKED);    // many pixels, deep, four 32-wide panels or more
        assertPath(pointwise(16, 32, 24), POINTWISE_BLOCKS);                                          // many pixels, shallow
        ConvGeometry conv2 = new ConvGeometry(1, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1);           // Fashion CNN conv2: 52 of 196 pixels on the border
        assertPath(conv2, scalar ? WINDOWS : lanes == 16 ? BLOCKED_WINDOWS : WINDOWS_PADDED);
        assertPath(new ConvGeometry(1, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1), scalar ? WINDOWS : SINGLE_CHANNEL_3X3_PADDED);  // Fashion CNN conv1
        assertPath(new ConvGeometry(1, 1, 11, 9, 20, 3, 3, 2, 2, 0, 0, 1, 1, 1), scalar ? WINDOWS : SINGLE_CHANNEL_3X3);         // one channel, no padding
        assertPath(new ConvGeometry(1, 32, 28, 28, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1), scalar ? WINDOWS : WINDOWS_PADDED);          // stride 2, a 14x14 map's border
        assertPath(new ConvGeometry(1, 3, 224, 224, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1), WINDOWS);   // MobileNetV2's stem: border under a tenth, gathered
        assertPath(new ConvGeometry(1, 6, 6, 6, 33, 1, 1, 2, 2, 0, 0, 1, 1, 1), WINDOWS);       // 1x1 at stride 2 is a window, not a matrix
    }

    private static ConvGeometry pointwise(int c, int hw, int o) { return new ConvGeometry(1, c, hw, hw, o, 1, 1, 1, 1, 0, 0, 1, 1, 1); }

    private static void assertPath(ConvGeometry g, ChannelsLast.Path expected) {
        ChannelsLast.PackedConv pc = ChannelsLast.pack(g, new float[g.o() * g.c() * g.kh() * g.kw()], null);
        assertThat(ChannelsLast.path(pc)).as("%s at %d lanes", g, FloatVector.SPECIES_PREFERRED.length()).isEqualTo(expected);
    }

    @Test void layoutTransposesAreInverses() {
        float[] a = rand(new Random(3), 5 * 7 * 3), hwc = new float[a.length + 2], back = new float[a.length];
        ChannelsLast.toChannelsLast(a, 0, 5, 21, hwc, 2);
        assertThat(hwc[2 + 1]).isEqualTo(a[21]);  // pixel 0, channel 1
        ChannelsLast.toChannelsFirst(hwc, 2, 5, 21, back, 0);
        assertThat(back).containsExactly(a);
    }

    @ParameterizedTest @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3, 5, 40})
    void transposesFollowTheirDefinitionAcrossChunks(int c) {
        int hw = 600;  // more than one 256-pixel chunk, and a short last one
        float[] a = rand(new Random(c), c * hw), hwc = new float[a.length + 3], back = new float[a.length + 1];
        ChannelsLast.toChannelsLast(a, 0, c, hw, hwc, 3);
        for (int i = 0; i < hw; i++) for (int ch = 0; ch < c; ch++) assertThat(hwc[3 + i * c + ch]).as("pixel %d channel %d", i, ch).isEqualTo(a[ch * hw + i]);
        ChannelsLast.toChannelsFirst(hwc, 3, c, hw, back, 1);
        assertThat(java.util.Arrays.copyOfRange(back, 1, back.length)).containsExactly(a);
    }

    @Test void badShapesAreRejectedWithTheirNumbers() {
        ConvGeometry grouped = new ConvGeometry(1, 6, 8, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3);
        assertThatThrownBy(() -> ChannelsLast.pack(grouped, new float[9 * 2 * 9], null)).hasMessageContaining("groups must be 1").hasMessageContaining("3");
        ConvGeometry g = new ConvGeometry(1, 4, 5, 5, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1);
        assertThatThrownBy(() -> ChannelsLast.pack(g, new float[31], null)).hasMessageContaining("31").hasMessageContaining("8x4");
        ConvGeometry dw = new ConvGeometry(1, 8, 5, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8);
        assertThatThrownBy(() -> ChannelsLast.packDepthwise(dw, new float[8])).hasMessageContaining("8x9");
        ChannelsLast.PackedConv expand = ChannelsLast.pack(new ConvGeometry(1, 4, 5, 5, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1), new float[64], null);
        ChannelsLast.PackedConv project = ChannelsLast.pack(g, new float[32], null);
        assertThatThrownBy(() -> new InvertedResidual(expand, 0, dw, new float[72], null, 0, project, 0, false)).hasMessageContaining("does not feed depthwise");
        ConvGeometry dw5 = new ConvGeometry(1, 8, 5, 5, 8, 5, 5, 1, 1, 2, 2, 1, 1, 8);
        assertThatThrownBy(() -> new InvertedResidual(null, 0, dw5, new float[200], null, 0, project, 0, false)).hasMessageContaining("not 3x3");
        ConvGeometry dw2 = new ConvGeometry(1, 4, 6, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 4);
        ChannelsLast.PackedConv p4 = ChannelsLast.pack(new ConvGeometry(1, 4, 3, 3, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1), new float[16], null);
        assertThatThrownBy(() -> new InvertedResidual(null, 0, dw2, new float[36], null, 0, p4, 0, true)).hasMessageContaining("residual add needs stride 1");
    }

    /** A kernel over channels-last arrays at offsets. */
    interface Hwc { void run(float[] x, int xOff, float[] y, int yOff); }

    /** Runs k on x transposed to channels-last (at an offset, with slack after), returns its output transposed back. */
    private static float[] run(ConvGeometry g, float[] x, int offset, int outSize, Hwc k) {
        float[] xl = new float[offset + x.length + 5], yl = new float[offset + outSize + 5];
        java.util.Arrays.fill(yl, Float.NaN);  // every output must be written
        ChannelsLast.toChannelsLast(x, 0, g.c(), g.h() * g.w(), xl, offset);
        k.run(xl, offset, yl, offset);
        float[] y = new float[outSize];
        ChannelsLast.toChannelsFirst(yl, offset, outSize / (g.oh() * g.ow()), g.oh() * g.ow(), y, 0);
        return y;
    }

    private static int hwcOut(ConvGeometry g) { return g.o() * g.oh() * g.ow(); }

    private static double[] activate(double[] v, int act) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (act != Epilogue.NONE) out[i] = Math.max(out[i], 0);
            if (act == Epilogue.RELU6) out[i] = Math.min(out[i], 6);
        }
        return out;
    }
}
