package dev.lathe.runtime;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Gemm;
import dev.lathe.kernels.Int8;
import dev.lathe.nn.Graph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link QuantizedPlan} at batch 1 in one int8 arena (the float plan's memory plan, one byte
 * per value): the input quantized in, int8 steps, the output dequantized out. Convolutions
 * accumulate through the fp32 GEMM on widened integers (exact, {@link Int8#conv}); dense layers
 * through the int8 matrix-vector kernel. Not thread-safe: one session per thread.
 */
public final class QuantizedSession extends Executor {
    @FunctionalInterface
    private interface Kernel { void run(byte[] arena); }

    private final QuantizedPlan plan;
    private final byte[] arena;
    private final int[] acc;
    /** The int8 dense layers' input widened to int (the largest layer's width). */
    private final int[] xs;
    private final float[] scratch;
    private final List<Kernel> kernels = new ArrayList<>();
    private final int inOff, inSize, outOff, outSize;
    private final QuantizedPlan.QParams outParams;

    QuantizedSession(QuantizedPlan plan, int threads) {
        super(threads);
        this.plan = plan;
        InferencePlan fp = plan.floatPlan();
        Map<String, Integer> off = new HashMap<>();
        for (QStep s : plan.steps()) off.put(s.name(), plan.offset(s.name()));
        off.put(Graph.INPUT, plan.offset(Graph.INPUT));
        int accNeed = 0, scratchNeed = 0, widthNeed = 0;
        for (QStep s : plan.steps()) {
            if (s instanceof QStep.Conv c) {
                ConvGeometry g = c.geometry();
                accNeed = Math.max(accNeed, g.o() * g.oh() * g.ow());
                scratchNeed = Math.max(scratchNeed, g.groups() != 1 ? g.c() * g.h() * g.w() + g.o() * g.oh() * g.ow()
                        : Int8.convScratch(g) + (c.pool() == null ? 0 : c.pool().c() * c.pool().oh() * c.pool().ow()));
            }
            if (s instanceof QStep.Linear l) {
                accNeed = Math.max(accNeed, l.weights().outputs());
                widthNeed = Math.max(widthNeed, l.inFeatures());
            }
        }
        this.arena = new byte[Math.toIntExact(plan.memoryPlan().arenaSize())];
        this.acc = new int[accNeed];
        this.xs = new int[widthNeed];
        this.scratch = new float[scratchNeed];
        for (QStep s : plan.steps()) kernels.add(compile(s, off));
        this.inOff = off.get(Graph.INPUT);
        this.inSize = (int) fp.input().sampleSize();
        QStep last = plan.steps().get(plan.steps().size() - 1);
        this.outOff = off.get(last.name());
        this.outSize = (int) fp.steps().get(fp.steps().size() - 1).output().sampleSize();
        this.outParams = last.out();
    }

    @Override public int inputSize() { return inSize; }

    @Override public int outputSize() { return outSize; }

    public QuantizedPlan plan() { return plan; }

    /** One sample in (float), its dequantized output in {@code out}. */
    @Override public void predict(float[] in, float[] out) {
        requireInput(in, "predict");
        if (out.length != outSize) throw new IllegalArgumentException("predict: output array has " + out.length + " values, the model gives " + outSize);
        quantizeIn(in);
        runSteps(kernels.size(), i -> kernels.get(i).run(arena));
        for (int i = 0; i < outSize; i++) out[i] = outParams.dequantize(arena[outOff + i]);
    }

    private void quantizeIn(float[] in) {
        QuantizedPlan.QParams q = plan.inputParams();
        for (int i = 0; i < inSize; i++) arena[inOff + i] = q.quantize(in[i]);
    }


    public float[] predict(float[] in) {
        float[] out = new float[outSize];
        predict(in, out);
        return out;
    }

    /** Mean milliseconds per step over {@code runs} calls (the caller warms up first), in plan order. */
    public double[] profile(float[] in, int runs) {
        requireInput(in, "profile");
        return profile(kernels.size(), runs, () -> quantizeIn(in), i -> kernels.get(i).run(arena));
    }

    /** The raw int8 outputs of the last call (what the generated C must reproduce bit for bit). */
    public byte[] lastOutputQuantized() { return java.util.Arrays.copyOfRange(arena, outOff, outOff + outSize); }

    /** The int8 kernel of a step: one case per kind, the compiler checks that none is missing. */
    private Kernel compile(QStep s, Map<String, Integer> off) {
        int y = off.get(s.name()), x = off.get(s.input()), zo = s.out().zeroPoint();
        return switch (s) {
            case QStep.View v -> a -> { };
            case QStep.Clamp c -> {
                int n = plan.size(s.name()), lo = c.lo(), hi = c.hi();
                yield a -> { for (int i = 0; i < n; i++) a[y + i] = (byte) Math.max(lo, Math.min(hi, a[x + i])); };
            }
            case QStep.MaxPool p -> a -> Int8.maxPool(p.geometry(), a, x, a, y);
            case QStep.GlobalAverage g -> {
                int c = g.geometry().c(), hw = g.geometry().h() * g.geometry().w(), zi = g.in().zeroPoint(), m0 = g.m0(), sh = g.shift();
                yield a -> Int8.globalAverage(a, x, c, hw, zi, m0, sh, zo, a, y);
            }
            case QStep.Add add -> {
                int x2 = off.get(add.input2()), n = plan.size(s.name());
                int za = add.in().zeroPoint(), zb = add.in2().zeroPoint(), ma = add.m0a(), mb = add.m0b(), sh = add.shift();
                yield a -> Int8.add(a, x, za, ma, x2, zb, mb, sh, zo, a, y, n);
            }
            case QStep.Linear l -> {
                QStep.Weights wt = l.weights();
                int in = l.inFeatures(), outs = wt.outputs(), zi = l.in().zeroPoint(), lo = wt.lo(), hi = wt.hi();
                int[] m0 = wt.m0(), sh = wt.shift();
                byte[] w = wt.q();
                // sum (q_x - zp) w = sum q_x w - zp sum w: the zero point's share folds into the bias
                int[] bias = wt.bias().clone();
                for (int o = 0; o < outs; o++) {
                    int rs = 0;
                    for (int k = 0; k < in; k++) rs += w[o * in + k];
                    bias[o] -= zi * rs;
                }
                Int8.Rows rows = Int8.widenRows(w, 0, in, outs);  // once per session: the weights never change
                yield a -> {
                    Int8.matVec(a, x, rows, xs, acc, 0);
                    Int8.requantizeChannels(acc, 0, outs, 1, bias, m0, sh, zo, lo, hi, a, y);
                };
            }
            case QStep.Conv c -> conv(c, x, y);
        };
    }

    private Kernel conv(QStep.Conv c, int x, int y) {
        ConvGeometry g = c.geometry();
        QStep.Weights wt = c.weights();
        int outs = g.o(), zi = c.in().zeroPoint(), zo = c.out().zeroPoint(), lo = wt.lo(), hi = wt.hi();
        int[] bias = wt.bias(), m0 = wt.m0(), sh = wt.shift();
        if (g.groups() != 1) {
            // depthwise: the fp32 depthwise kernel on widened integers (exact: kh*kw products of |x - zp| <= 255, |w| <= 127 stay below 2^24)
            int ohw = g.oh() * g.ow(), chw = g.c() * g.h() * g.w();
            float[] wf = new float[wt.q().length];
            for (int i = 0; i < wf.length; i++) wf[i] = wt.q()[i];
            return a -> {
                Int8.widen(a, x, zi, scratch, chw);
                dev.lathe.kernels.Conv2d.forwardInto(g, scratch, 0, wf, null, scratch, chw, dev.lathe.kernels.Epilogue.NONE, null);
                Int8.requantizeChannels(scratch, chw, outs, ohw, bias, m0, sh, zo, lo, hi, a, y);
            };
        }
        Gemm.PackedA[] w = Int8.packConvWeights(g, wt.q());
        if (c.pool() != null) {
            // pool the exact integer sums (held as floats) first, then requantize the quarter that is left
            int conv = g.o() * g.oh() * g.ow(), base = Int8.convScratch(g);
            ConvGeometry pg = c.pool();
            int pohw = pg.oh() * pg.ow();
            return a -> {
                Int8.convFloat(g, a, x, zi, w, scratch);
                dev.lathe.kernels.Pool2d.maxInto(pg, scratch, base - conv, scratch, base);
                Int8.requantizeChannels(scratch, base, outs, pohw, bias, m0, sh, zo, lo, hi, a, y);
            };
        }
        int ohw = g.oh() * g.ow();
        return a -> {
            Int8.conv(g, a, x, zi, w, scratch, acc);
            Int8.requantizeChannels(acc, 0, outs, ohw, bias, m0, sh, zo, lo, hi, a, y);
        };
    }
}
