package dev.lathe.kernels;

import static dev.lathe.kernels.PixelGemm.pointwiseBlocks;
import static dev.lathe.kernels.PixelGemm.pointwisePanels;
import static dev.lathe.kernels.WindowConv.padRows;
import static dev.lathe.kernels.WindowConv.singleChannelRows;
import static dev.lathe.kernels.WindowConv.windowRows;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch-1 inference kernels over channels-last activations ([h, w, c] per sample, HWC). In this
 * layout a convolution is one GEMM whose rows are output pixels: Y[pixels, out] = P[pixels, K] x
 * W^T[K, out], with P = the input itself for a 1x1 stride-1 conv (rows read in place, no packing)
 * and, for any other window, 8-pixel blocks of patches gathered into L1 right before their tiles
 * (no im2col matrix). The weights are the pre-packed operand; the bias starts the accumulators and
 * the activation clamps them before the one store, so every output is written once, in order.
 * Depthwise and pooling vectorize across channels, which are contiguous here. Measured against the
 * NCHW kernels on MobileNetV2 (see docs/ARCHITECTURE.md). The scalar twins ({@link PixelTiles#tileScalar},
 * and the scalar channel tail of the depthwise and pooling loops) run when {@link Kernels#SCALAR}.
 *
 * <p>This class is the family's entry: the packed weights, the layout transposes, and the one place that
 * picks a conv's path for a geometry ({@link #path}, a {@link Path} a test can assert) and splits it over
 * threads. The work is done in {@link PixelGemm} (the GEMM over pixel blocks and the 1x1 conv),
 * {@link PixelTiles} and {@link BlockedTiles} (the register tiles), {@link BlockedPointwise} (1x1 over
 * channel-blocked rows), {@link WindowConv} (kxk windows), {@link ChannelsLastDepthwise} and
 * {@link ChannelsLastPool}.
 */
public final class ChannelsLast {
    private ChannelsLast() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Register tile: 8 pixels times 2 vectors of output channels. */
    static final int MR = 8, NR = 2 * L;
    /**
     * Work per part below which a second thread costs more than it saves ({@link Parallel#forRange}
     * splits from twice this). Lower than the channels-first GEMM's 4M: a part here packs nothing, it
     * just takes its own output rows. Measured on 2 threads: at 4M MobileNetV2's 28x28 and 14x14
     * blocks ran on one thread (1.53x over 1 thread in all); at 1M they split (1.75x), and the
     * Fashion CNN's 3.6M-MAC conv2 splits too (1.40x on that layer). Alternating in one JVM, 2 threads:
     * 1M against 256K 7.21 vs 7.32 ms (MobileNetV2), 0.129 vs 0.129 (CNN); against 4M 8.41 vs 8.78, 0.148 vs 0.189.
     */
    static final long PARALLEL_MIN = 1L << 20;
    /** Depthwise and pooling: memory-bound, so worth splitting from fewer operations. */
    static final long PARALLEL_MIN_STREAM = 1L << 18;

    /**
     * A dense (groups = 1) convolution's weights as the GEMM's B operand: K x out in NR-column panels
     * (k-major inside a panel, zero-padded to NR columns), K ordered (tap row, tap column, input
     * channel) to match a gathered patch; the bias padded alike (zeros when the layer has none).
     */
    public record PackedConv(ConvGeometry g, int k, float[] panels, float[] bias, ConvGeometry padded) {}

    public static PackedConv pack(ConvGeometry g, float[] w, float[] b) {
        if (g.groups() != 1) throw new IllegalArgumentException("channels-last conv: groups must be 1 (depthwise has its own kernel), got " + g.groups());
        int c = g.c(), kh = g.kh(), kw = g.kw(), o = g.o(), k = kh * kw * c, nPad = (o + NR - 1) / NR * NR;
        if (w.length != o * k) throw new IllegalArgumentException("channels-last conv: weights have " + w.length + " values, expected " + o + "x" + k);
        float[] panels = new float[k * nPad];
        for (int j = 0; j < o; j++) {
            int base = j / NR * NR * k + j % NR;
            for (int ci = 0; ci < c; ci++) {
                for (int u = 0; u < kh; u++) {
                    for (int v = 0; v < kw; v++) panels[base + ((u * kw + v) * c + ci) * NR] = w[((j * c + ci) * kh + u) * kw + v];
                }
            }
        }
        float[] bias = new float[nPad];
        if (b != null) System.arraycopy(b, 0, bias, 0, o);
        return new PackedConv(g, k, panels, bias, paddedCopy(g));
    }

    /**
     * The same convolution over a zero-bordered copy of the input (no padding of its own), when a
     * tenth or more of the output pixels have windows over the padding; else null. Copying a small
     * map once costs less than gathering its border pixels' patches one by one (the Fashion CNN's
     * 14x14 conv2: 52 of 196 pixels). A padded one-channel 3x3 conv always: {@link WindowConv#singleChannelRows} reads only inside windows.
     */
    static ConvGeometry paddedCopy(ConvGeometry g) {
        if (g.ph() == 0 && g.pw() == 0 || g.dh() != 1 || g.dw() != 1 || g.groups() != 1 || g.ceil()) return null;
        int rows = insideCount(g.oh(), g.sh(), g.ph(), g.kh(), g.h()), cols = insideCount(g.ow(), g.sw(), g.pw(), g.kw(), g.w());
        if (10L * rows * cols >= 9L * g.oh() * g.ow() && !singleChannel3x3(g)) return null;
        return new ConvGeometry(1, g.c(), g.h() + 2 * g.ph(), g.w() + 2 * g.pw(), g.o(), g.kh(), g.kw(), g.sh(), g.sw(), 0, 0, 1, 1, 1);
    }

    /** How many of n output positions (stride s, padding p, kernel k, input size size) have their whole window inside the input. */
    private static int insideCount(int n, int s, int p, int k, int size) {
        int count = 0;
        for (int i = 0; i < n; i++) if (i * s - p >= 0 && i * s - p + k <= size) count++;
        return count;
    }

    /** The lower and upper clamp of an {@link Epilogue} activation (NONE: none). */
    static float low(int activation) { return activation == Epilogue.NONE ? Float.NEGATIVE_INFINITY : 0f; }

    static float high(int activation) { return activation == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY; }

    /** From this depth A is packed for {@link PixelTiles#packedTile} (where enough weight panels share each packed block). */
    static final int PACK_MIN_K = 64;

    /** Deeper than this, {@link BlockedPointwise#pointwiseBlocked} splits K into chunks whose weights stay in L1 across the pixel blocks. */
    static final int KC_BLOCKED = 160;

    /**
     * The kernel {@link #conv} runs for a geometry, named so that a test can assert it: {@link #path} is
     * the one place that decides (the tiles a block then takes, by its own size, are {@link PixelGemm#panel}'s).
     */
    enum Path {
        /** 1x1 stride 1, fewer pixels than outputs: weight panel by panel, each over every pixel block, A read in place. */
        POINTWISE_PANELS,
        /** The same with A packed once for every panel ({@link #PACK_MIN_K} deep or more). */
        POINTWISE_PANELS_PACKED,
        /** The same with A channel-blocked once and K in L1-sized chunks (deeper than {@link #KC_BLOCKED}, a multiple of L). */
        POINTWISE_PANELS_CHUNKED,
        /** 1x1 stride 1, as many pixels as outputs or more: pixel block by block, every panel per block, A read in place. */
        POINTWISE_BLOCKS,
        /** The same with each block packed (deep, and four panels or more to share it). */
        POINTWISE_BLOCKS_PACKED,
        /** kxk stride 1 over a channel-blocked copy of its rows ({@link BlockedWindows}, AVX-512 only). */
        BLOCKED_WINDOWS,
        /** One input channel, 3x3, no padding: {@link WindowConv#singleChannelRows} over the input. */
        SINGLE_CHANNEL_3X3,
        /** The same over a zero-bordered copy of the input. */
        SINGLE_CHANNEL_3X3_PADDED,
        /** Any other window: inside windows read in place, the border's patches gathered ({@link WindowConv#windowRows}). */
        WINDOWS,
        /** The same over a zero-bordered copy, where the border is a tenth of the map or more ({@link #paddedCopy}). */
        WINDOWS_PADDED;

        boolean pointwise() { return panelFirst() || this == POINTWISE_BLOCKS || this == POINTWISE_BLOCKS_PACKED; }

        boolean panelFirst() { return this == POINTWISE_PANELS || this == POINTWISE_PANELS_PACKED || this == POINTWISE_PANELS_CHUNKED; }

        boolean singleChannel() { return this == SINGLE_CHANNEL_3X3 || this == SINGLE_CHANNEL_3X3_PADDED; }

        boolean overPaddedCopy() { return this == SINGLE_CHANNEL_3X3_PADDED || this == WINDOWS_PADDED; }
    }

    /** The path {@link #conv} takes for pc: its geometry, and whether pack found a padded copy worth making. */
    static Path path(PackedConv pc) {
        ConvGeometry g = pc.g();
        if (g.isPointwise()) return pointwisePath(g.oh() * g.ow(), pc.k(), g.o());
        if (BlockedWindows.fits(g)) return Path.BLOCKED_WINDOWS;
        boolean padded = pc.padded() != null && !Kernels.SCALAR;
        if (singleChannel3x3(g)) return padded ? Path.SINGLE_CHANNEL_3X3_PADDED : Path.SINGLE_CHANNEL_3X3;
        return padded ? Path.WINDOWS_PADDED : Path.WINDOWS;
    }

    /** The path of a 1x1 conv over m pixels, k deep into o outputs: a layer's ({@link #conv}) or a fused block's rows ({@link PixelGemm#pointwise}). */
    static Path pointwisePath(int m, int k, int o) {
        boolean deep = k >= PACK_MIN_K && !Kernels.SCALAR;
        if (panelFirst(m, o)) return !deep ? Path.POINTWISE_PANELS : k > KC_BLOCKED && k % L == 0 ? Path.POINTWISE_PANELS_CHUNKED : Path.POINTWISE_PANELS_PACKED;
        return deep && o >= 4 * NR ? Path.POINTWISE_BLOCKS_PACKED : Path.POINTWISE_BLOCKS;
    }

    /** Whether a 1x1 conv over m pixels into o channels runs panel by panel ({@link PixelGemm#pointwisePanels}): fewer pixels than outputs. */
    static boolean panelFirst(int m, int o) { return m < o && o > NR; }

    /**
     * The output channels a thread's part of a channel split is made of: a pair of weight panels where
     * {@link PanelPairs} runs (a part's range never splits a pair), else one panel.
     */
    static int channelUnit() { return PanelPairs.ENABLED ? 2 * NR : NR; }

    /** Whether conv runs this geometry through {@link WindowConv#singleChannelRows}: one input channel (a grayscale first layer), 3x3, undilated. */
    static boolean singleChannel3x3(ConvGeometry g) {
        return !Kernels.SCALAR && g.c() == 1 && g.kh() == 3 && g.kw() == 3 && g.dh() == 1 && g.dw() == 1 && g.groups() == 1 && !g.ceil();
    }

    /** y[oh, ow, out] at yOff = activation(conv(x[h, w, c] at xOff) + bias), batch 1. */
    public static void conv(PackedConv pc, float[] x, int xOff, float[] y, int yOff, int activation) {
        ConvGeometry g = pc.g();
        float lo = low(activation), hi = high(activation);
        Path path = path(pc);
        if (path.pointwise()) {
            int pixels = g.oh() * g.ow(), blocks = (pixels + MR - 1) / MR, k = pc.k(), o = g.o();
            if (path.panelFirst()) {
                // few pixels, wide weights: threads take whole units of weight panels, each over every pixel, so each
                // panel runs the tiles it runs on one thread (a pixel split would change which block is a call's
                // first, and so its tile and its bits), and each weight is streamed by one core
                int unit = channelUnit(), units = (o + unit - 1) / unit;
                if (!Parallel.worthSplitting(units, (long) pixels * k * unit, PARALLEL_MIN)) {
                    pointwisePanels(pc, path, x, xOff, pixels, y, yOff, o, L, lo, hi, 0, o);
                    return;
                }
                Parallel.forRange(units, (long) pixels * k * unit, PARALLEL_MIN, (u0, u1) ->
                        pointwisePanels(pc, path, x, xOff, pixels, y, yOff, o, L, lo, hi, u0 * unit, Math.min(o, u1 * unit)));
                return;
            }
            if (!Parallel.worthSplitting(blocks, (long) MR * k * o, PARALLEL_MIN)) {
                pointwiseBlocks(pc, path, x, xOff, pixels, y, yOff, o, L, lo, hi);  // no task objects at all when one thread does it
                return;
            }
            Parallel.forRange(blocks, (long) MR * k * o, PARALLEL_MIN, (from, to) -> {
                int p0 = from * MR, p1 = Math.min(pixels, to * MR);
                pointwiseBlocks(pc, path, x, xOff + p0 * k, p1 - p0, y, yOff + p0 * o, o, L, lo, hi);
            });
            return;
        }
        long perRow = (long) g.ow() * pc.k() * g.o();
        boolean split = Parallel.worthSplitting(g.oh(), perRow, PARALLEL_MIN), single = path.singleChannel();
        // over a padded copy where the geometry has one (a small map's border is cheaper copied than gathered pixel
        // by pixel: the Fashion CNN's conv2 0.95x; a one-channel 3x3 conv always, its kernel reads only inside
        // windows); split over threads, each part copies the rows its own windows read (one copy before the split
        // was a serial step, 1.13x; gathering the border on two threads scaled conv2 only 1.16-1.18x over one)
        if (path == Path.BLOCKED_WINDOWS) {  // over channel-blocked rows: the Fashion CNN's conv2 0.91-0.93x (BlockedWindows)
            if (!split) BlockedWindows.rows(pc, x, xOff, y, yOff, lo, hi, 0, g.oh());
            else Parallel.forRange(g.oh(), perRow, PARALLEL_MIN, (from, to) -> BlockedWindows.rows(pc, x, xOff, y, yOff, lo, hi, from, to));
            return;
        }
        boolean padded = path.overPaddedCopy();
        ConvGeometry wg = padded ? pc.padded() : g;
        if (!split) {  // direct calls: no task objects when one thread does it
            float[] src = padded ? padRows(g, x, xOff, 0, wg.h()) : x;
            int srcOff = padded ? 0 : xOff;
            if (single) singleChannelRows(pc, wg, src, srcOff, y, yOff, lo, hi, 0, g.oh());
            else windowRows(pc, wg, src, srcOff, y, yOff, lo, hi, 0, g.oh());
            return;
        }
        Parallel.forRange(g.oh(), perRow, PARALLEL_MIN, (from, to) -> {
            float[] src = x;
            int srcOff = xOff;
            if (padded) {  // the part's rows of the padded copy; offsets relative to its first row
                int r0 = from * g.sh();
                src = padRows(g, x, xOff, r0, (to - 1) * g.sh() + g.kh());
                srcOff = -r0 * wg.w() * g.c();
            }
            if (single) singleChannelRows(pc, wg, src, srcOff, y, yOff, lo, hi, from, to);
            else windowRows(pc, wg, src, srcOff, y, yOff, lo, hi, from, to);
        });
    }

    /** Depthwise weights [c, 1, kh, kw] reordered tap-major ([kh*kw, c]): one vector of channels per tap. */
    public static float[] packDepthwise(ConvGeometry g, float[] w) { return ChannelsLastDepthwise.packDepthwise(g, w); }

    /** Depthwise conv, batch 1, channels-last: y[oh, ow, c] = activation(sum over taps x * w + b); b may be null. */
    public static void depthwise(ConvGeometry g, float[] x, int xOff, float[] wt, float[] b, float[] y, int yOff, int activation) {
        ChannelsLastDepthwise.depthwise(g, x, xOff, wt, b, y, yOff, activation);
    }

    /** Max pooling, batch 1, channels-last; taps outside the input are skipped (padding never wins). */
    public static void maxPool(ConvGeometry g, float[] x, int xOff, float[] y, int yOff) { ChannelsLastPool.maxPool(g, x, xOff, y, yOff); }

    /** Average pooling (global average: a whole-plane window); countPad divides by kh*kw even where the window hangs over the padding. */
    public static void avgPool(ConvGeometry g, float[] x, int xOff, float[] y, int yOff, boolean countPad) { ChannelsLastPool.avgPool(g, x, xOff, y, yOff, countPad); }

    /** Pixels per chunk of a transpose: a chunk's channels-last side (at most 256 x c floats) stays in L1 while each channel plane passes. */
    private static final int TRANSPOSE_CHUNK = 256;

    /**
     * NCHW -> NHWC for one sample: dst[(i * c) + ch] = src[ch * hw + i]. An RGB image (c = 3) has its
     * own loop (three planes read, one run written: the nested loop with a 3-trip inner loop took
     * 0.34 ms for a 224x224 image, more than most MobileNetV2 layers); other counts go chunk by chunk.
     */
    public static void toChannelsLast(float[] src, int srcOff, int c, int hw, float[] dst, int dstOff) {
        if (c == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, hw);
        } else if (c == 3) {
            int g = srcOff + hw, b = g + hw;
            for (int i = 0; i < hw; i++) {
                dst[dstOff + 3 * i] = src[srcOff + i];
                dst[dstOff + 3 * i + 1] = src[g + i];
                dst[dstOff + 3 * i + 2] = src[b + i];
            }
        } else {
            for (int i0 = 0; i0 < hw; i0 += TRANSPOSE_CHUNK) {
                int i1 = Math.min(hw, i0 + TRANSPOSE_CHUNK);
                for (int ch = 0; ch < c; ch++) {
                    int s = srcOff + ch * hw, d = dstOff + ch;
                    for (int i = i0; i < i1; i++) dst[d + i * c] = src[s + i];
                }
            }
        }
    }

    /** NHWC -> NCHW for one sample (the inverse of {@link #toChannelsLast}), chunk by chunk alike. */
    public static void toChannelsFirst(float[] src, int srcOff, int c, int hw, float[] dst, int dstOff) {
        if (c == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, hw);
            return;
        }
        for (int i0 = 0; i0 < hw; i0 += TRANSPOSE_CHUNK) {
            int i1 = Math.min(hw, i0 + TRANSPOSE_CHUNK);
            for (int ch = 0; ch < c; ch++) {
                int s = srcOff + ch, d = dstOff + ch * hw;
                for (int i = i0; i < i1; i++) dst[d + i] = src[s + i * c];
            }
        }
    }
}
