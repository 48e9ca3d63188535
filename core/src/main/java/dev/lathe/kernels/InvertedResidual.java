package dev.lathe.kernels;

/**
 * MobileNetV2's inverted residual block — 1x1 expansion, 3x3 depthwise, 1x1 projection, and the
 * residual add when the block keeps its shape — as one channels-last kernel that goes output row
 * by output row. The expanded rows a depthwise output row needs are computed into a ring of three
 * rows, the depthwise row into one more, and the projection writes the block's output row
 * directly: the expanded tensor (4.8 MB at 112x112x96) never exists, so it is never written to
 * memory and read back. On this machine that traffic, not the multiply-adds, was most of the
 * unfused block's time (see docs/ARCHITECTURE.md). Without expansion (factor 1) the ring holds
 * copies of input rows. Output rows are split over the pool, each part with its own ring.
 */
public final class InvertedResidual {
    private final ChannelsLast.PackedConv expand, project;
    private final float[] dwWeights, dwBias;
    private final float expandLo, expandHi, dwLo, dwHi, projectLo, projectHi;
    private final boolean residual;
    private final int h, w, cin, cexp, cout, oh, ow, stride;
    private final long macsPerRow;

    private static final Scratch RING = new Scratch();

    /** Whether the depthwise convolution is one this kernel runs: 3x3, padding 1, undilated, stride 1 or 2. */
    public static boolean fits(ConvGeometry dw) {
        return dw.isDepthwise() && dw.kh() == 3 && dw.kw() == 3 && dw.ph() == 1 && dw.pw() == 1 && dw.dh() == 1 && dw.dw() == 1
                && dw.sh() == dw.sw() && (dw.sh() == 1 || dw.sh() == 2) && dw.n() == 1;
    }

    /**
     * expand (null for expansion factor 1) and project are packed 1x1 stride-1 convolutions; dw the
     * depthwise geometry (its weights [c, 1, 3, 3], its bias or null); activations as {@link Epilogue}'s.
     */
    public InvertedResidual(ChannelsLast.PackedConv expand, int expandActivation, ConvGeometry dw, float[] dwWeights, float[] dwBias, int dwActivation,
                            ChannelsLast.PackedConv project, int projectActivation, boolean residual) {
        if (!fits(dw)) throw new IllegalArgumentException("inverted residual: depthwise " + dw + " is not 3x3, padding 1, stride 1 or 2");
        if (expand != null && (!expand.g().isPointwise() || expand.g().o() != dw.c() || expand.g().h() != dw.h() || expand.g().w() != dw.w())) {
            throw new IllegalArgumentException("inverted residual: expansion " + expand.g() + " does not feed depthwise " + dw);
        }
        if (!project.g().isPointwise() || project.g().c() != dw.o() || project.g().h() != dw.oh() || project.g().w() != dw.ow()) {
            throw new IllegalArgumentException("inverted residual: projection " + project.g() + " does not read depthwise " + dw);
        }
        this.expand = expand;
        this.project = project;
        this.dwWeights = ChannelsLast.packDepthwise(dw, dwWeights);
        this.dwBias = dwBias;
        this.h = dw.h();
        this.w = dw.w();
        this.cexp = dw.c();
        this.cin = expand == null ? cexp : expand.g().c();
        this.cout = project.g().o();
        this.oh = dw.oh();
        this.ow = dw.ow();
        this.stride = dw.sh();
        if (residual && (stride != 1 || cin != cout)) throw new IllegalArgumentException("inverted residual: a residual add needs stride 1 and equal channels, got stride " + stride + ", " + cin + " -> " + cout);
        this.residual = residual;
        this.expandLo = ChannelsLast.low(expandActivation);
        this.expandHi = ChannelsLast.high(expandActivation);
        this.dwLo = ChannelsLast.low(dwActivation);
        this.dwHi = ChannelsLast.high(dwActivation);
        this.projectLo = ChannelsLast.low(projectActivation);
        this.projectHi = ChannelsLast.high(projectActivation);
        this.macsPerRow = (long) stride * w * cin * (expand == null ? 0 : cexp) + (long) ow * cexp * (9 + cout);
    }

    /** Input [h, w, cin] at x[xOff] to output [oh, ow, cout] at y[yOff]; the two must not overlap. */
    public void run(float[] x, int xOff, float[] y, int yOff) {
        if (!Parallel.worthSplitting(oh, macsPerRow, ChannelsLast.PARALLEL_MIN)) {
            band(x, xOff, y, yOff, 0, oh);
            return;
        }
        Parallel.forRange(oh, macsPerRow, ChannelsLast.PARALLEL_MIN, (from, to) -> band(x, xOff, y, yOff, from, to));
    }

    /** Output rows [from, to). Input rows enter the ring in order: those below {@code next} and at or above next - 3 are in it. */
    private void band(float[] x, int xOff, float[] y, int yOff, int from, int to) {
        int rowLen = w * cexp, zero = 3 * rowLen, dwOut = 4 * rowLen;
        float[] buf = RING.atLeast(4 * rowLen + ow * cexp);  // three ring rows, a zero row (the padding), the depthwise output row
        java.util.Arrays.fill(buf, zero, zero + rowLen, 0f);
        int next = Math.max(0, from * stride - 1);
        int oxLo = Math.min(ow, 1), oxHi = Math.max(oxLo, Math.min(ow, (w - 2) / stride + 1));  // windows with all three columns inside
        int vecEnd = Kernels.SCALAR ? 0 : ChannelsLast.S.loopBound(cexp);
        for (int oy = from; oy < to; oy++) {
            int iy0 = oy * stride - 1;
            for (int iy = Math.max(next, iy0); iy <= Math.min(h - 1, iy0 + 2); iy++, next = iy) expandRow(x, xOff, iy, buf, iy % 3 * rowLen);
            int r0 = rowAt(iy0, rowLen, zero), r1 = rowAt(iy0 + 1, rowLen, zero), r2 = rowAt(iy0 + 2, rowLen, zero);
            for (int ox = 0; ox < oxLo; ox++) pixel(buf, r0, r1, r2, ox, dwOut, 0);
            int first = (oxLo * stride - 1) * cexp;
            for (int ch = 0; ch < vecEnd; ch += ChannelsLast.L) {
                ChannelsLast.depthwise3x3Run(buf, r0 + first + ch, r1 + first + ch, r2 + first + ch, stride * cexp, cexp, dwWeights, ch, dwBias, dwLo, dwHi,
                        buf, dwOut + oxLo * cexp + ch, oxHi - oxLo);
            }
            if (vecEnd < cexp) for (int ox = oxLo; ox < oxHi; ox++) pixel(buf, r0, r1, r2, ox, dwOut, vecEnd);
            for (int ox = oxHi; ox < ow; ox++) pixel(buf, r0, r1, r2, ox, dwOut, 0);
            int yo = yOff + oy * ow * cout;
            ChannelsLast.pointwise(project, buf, dwOut, ow, y, yo, projectLo, projectHi);
            if (residual) VectorMath.binary(VectorMath.ADD, y, yo, 1, x, xOff + oy * w * cin, 1, y, yo, ow * cout);
        }
    }

    private int rowAt(int iy, int rowLen, int zero) { return iy < 0 || iy >= h ? zero : iy % 3 * rowLen; }

    private void pixel(float[] buf, int r0, int r1, int r2, int ox, int dwOut, int ch0) {
        ChannelsLast.pixel3x3(buf, r0, r1, r2, ox * stride - 1, w, cexp, dwWeights, dwBias, dwLo, dwHi, buf, dwOut + ox * cexp, ch0);
    }

    /** Input row iy, expanded (or copied, without expansion) into the ring at buf[at]. */
    private void expandRow(float[] x, int xOff, int iy, float[] buf, int at) {
        if (expand == null) System.arraycopy(x, xOff + iy * w * cin, buf, at, w * cin);
        else ChannelsLast.pointwise(expand, x, xOff + iy * w * cin, w, buf, at, expandLo, expandHi);
    }
}
