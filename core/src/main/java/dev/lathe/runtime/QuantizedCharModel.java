package dev.lathe.runtime;

import dev.lathe.autograd.Variable;
import dev.lathe.kernels.Int8;
import dev.lathe.nn.Embedding;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Recurrent;

/**
 * The character model in integers only, so that generated C reproduces it bit for bit: int8
 * embedding table (per-tensor), int8 weights (symmetric per row), int32 accumulators; every gate's
 * pre-activation brought to a fixed int8 grid (scale 8/127: sigmoid and tanh are flat beyond +-8) by
 * one fixed-point sum over 2^28; sigmoid and tanh as 256-entry Q15 tables (computed here once, the
 * same numbers in C); the LSTM cell in Q12 int32; the hidden state int8 at scale 1/127 (it lies in
 * (-1, 1)); the head requantized to int8 logits with a calibrated scale. Every rounding is "add half,
 * shift right (floor)". One instance per thread (it holds the state).
 */
public final class QuantizedCharModel {
    /** Gate pre-activations on an int8 grid of this scale. */
    public static final double GATE_SCALE = 8.0 / 127;
    /** Fixed-point shift of the gate sums. */
    public static final int R = 28;
    /** Hidden states are int8 at this scale (zero point 0). */
    public static final double H_SCALE = 1.0 / 127;

    /** One layer's integers: weights [gates*h, in] and [gates*h, h], multipliers per row (over 2^R), bias terms in 2^R units of GATE_SCALE. */
    public record Layer(byte[] wih, byte[] whh, int[] mx, int[] mh, long[] bx, long[] bh, int in) {}

    private final Recurrent.Kind kind;
    private final int vocab, embed, hidden, layersN, gates;
    private final byte[] table;
    private final QuantizedPlan.QParams embedParams;
    private final Layer[] layers;
    private final byte[] head;
    private final int[] headBias, headM0, headShift;
    private final QuantizedPlan.QParams logitParams;
    private final short[] sigmoid = new short[256], tanh = new short[256];
    // state and scratch
    private final byte[][] h;
    private final int[][] c;
    private final byte[] x;
    private final int[] accX, accH, logitsAcc;
    private final byte[] logitsQ;

    /**
     * The integer form of a float char model given by its layers (embedding -> recurrent stack -> dense
     * head, as {@code models.CharModel} holds them: {@code m.embedding(), m.recurrent(), m.head()}) and the
     * float model's logits over a calibration text ({@code m.logits(tokens)}), whose range sets the int8
     * logit scale. It takes the layers, not the model, so that the runtime does not depend on
     * {@code models} (docs/ARCHITECTURE.md, Packages).
     */
    public QuantizedCharModel(Embedding embedding, Recurrent r, Linear headLayer, float[] calibrationLogits) {
        kind = r.kind();
        hidden = r.hiddenSize();
        layersN = r.layerCount();
        gates = kind == Recurrent.Kind.LSTM ? 4 : kind == Recurrent.Kind.GRU ? 3 : 1;
        vocab = embedding.vocab();
        embed = r.inputSize();
        if (embedding.dim() != embed || headLayer.inFeatures() != hidden || headLayer.outFeatures() != vocab || headLayer.bias() == null)
            throw new IllegalArgumentException("int8 char model: embedding " + embedding.vocab() + "x" + embedding.dim() + ", recurrent " + embed + " -> " + hidden
                    + " and head " + headLayer.inFeatures() + " -> " + headLayer.outFeatures() + (headLayer.bias() == null ? " without bias" : "") + " are not one char model");
        if (calibrationLogits.length == 0 || calibrationLogits.length % vocab != 0)
            throw new IllegalArgumentException("int8 char model: " + calibrationLogits.length + " calibration logits are not whole rows of " + vocab);
        float[] emb = embedding.weight().data().toFloatArray();
        float lo = 0, hi = 0;
        for (float v : emb) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        embedParams = QuantizedPlan.QParams.of(lo, hi);
        table = new byte[emb.length];
        for (int i = 0; i < emb.length; i++) table[i] = embedParams.quantize(emb[i]);
        layers = new Layer[layersN];
        for (int l = 0; l < layersN; l++) {
            Variable[] p = r.layer(l);
            int in = l == 0 ? embed : hidden, rows = gates * hidden;
            double sx = l == 0 ? embedParams.scale() : H_SCALE;
            float[][] wih = perRow(p[0].data().toFloatArray(), rows), whh = perRow(p[1].data().toFloatArray(), rows);
            float[] bih = p[2].data().toFloatArray(), bhh = p[3].data().toFloatArray();
            int[] mx = new int[rows], mh = new int[rows];
            long[] bx = new long[rows], bh = new long[rows];
            for (int k = 0; k < rows; k++) {
                mx[k] = multiplier(sx * wih[1][k] / GATE_SCALE);
                mh[k] = multiplier(H_SCALE * whh[1][k] / GATE_SCALE);
                bx[k] = Math.round(bih[k] / GATE_SCALE * (1L << R));
                bh[k] = Math.round(bhh[k] / GATE_SCALE * (1L << R));
            }
            layers[l] = new Layer(bytes(wih[0]), bytes(whh[0]), mx, mh, bx, bh, in);
        }
        for (int q = -128; q < 128; q++) {
            sigmoid[q + 128] = (short) Math.round(32767 / (1 + Math.exp(-q * GATE_SCALE)));
            tanh[q + 128] = (short) Math.round(32767 * Math.tanh(q * GATE_SCALE));
        }
        h = new byte[layersN][hidden];
        c = new int[layersN][hidden];
        x = new byte[Math.max(embed, hidden)];
        accX = new int[gates * hidden];
        accH = new int[gates * hidden];
        logitsAcc = new int[vocab];
        logitsQ = new byte[vocab];
        // the head: per-row symmetric weights on h (1/127), int8 logits calibrated on the float model's logits over the calibration text
        float[] hw = headLayer.weight().data().toFloatArray(), hb = headLayer.bias().data().toFloatArray();
        float[][] qh = perRow(hw, vocab);
        head = bytes(qh[0]);
        float llo = 0, lhi = 0;
        for (float v : calibrationLogits) {
            llo = Math.min(llo, v);
            lhi = Math.max(lhi, v);
        }
        logitParams = QuantizedPlan.QParams.of(llo, lhi);
        headBias = new int[vocab];
        headM0 = new int[vocab];
        headShift = new int[vocab];
        for (int k = 0; k < vocab; k++) {
            double accScale = H_SCALE * qh[1][k];
            headBias[k] = (int) Math.rint(hb[k] / accScale);
            int[] mr = Int8.multiplier(accScale / logitParams.scale());
            headM0[k] = mr[0];
            headShift[k] = mr[1];
        }
        reset();
    }

    /** {quantized weights as floats holding ints, scales} per row: symmetric int8, max |w| -> 127. */
    private static float[][] perRow(float[] w, int rows) {
        int per = w.length / rows;
        float[] q = new float[w.length], sc = new float[rows];
        for (int r = 0; r < rows; r++) {
            float max = 0;
            for (int k = 0; k < per; k++) max = Math.max(max, Math.abs(w[r * per + k]));
            sc[r] = max > 0 ? max / 127 : 1e-8f;
            for (int k = 0; k < per; k++) q[r * per + k] = (float) Math.max(-127, Math.min(127, Math.rint(w[r * per + k] / sc[r])));
        }
        return new float[][] {q, sc};
    }

    private static byte[] bytes(float[] q) {
        byte[] b = new byte[q.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) q[i];
        return b;
    }

    private static int multiplier(double ratio) {
        long m = Math.round(ratio * (1L << R));
        if (m > Integer.MAX_VALUE) throw new IllegalArgumentException("int8 recurrent: scale ratio " + ratio + " too large for the fixed-point gate sum");
        return (int) m;
    }

    public void reset() {
        for (byte[] v : h) java.util.Arrays.fill(v, (byte) 0);
        for (int[] v : c) java.util.Arrays.fill(v, 0);
    }

    static long floorShift(long v, int s) { return v >> s; }  // Java's >> on long is the floor shift the C writes out

    private int index(long units) {
        long q = (units + (1L << (R - 1))) >> R;
        return (int) Math.max(-128, Math.min(127, q)) + 128;
    }

    /** Feeds one token; the int8 logits go to {@link #logitsQuantized()}, their dequantized values to {@code out}. */
    public void step(int token, float[] out) {
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("int8 char model: token " + token + " outside the vocabulary of " + vocab);
        System.arraycopy(table, token * embed, x, 0, embed);
        int zx = embedParams.zeroPoint();
        for (int l = 0; l < layersN; l++) {
            Layer L = layers[l];
            int in = L.in(), rows = gates * hidden;
            for (int k = 0; k < rows; k++) {
                int sx = 0, sh = 0;
                for (int p = 0; p < in; p++) sx += (x[p] - zx) * L.wih()[k * in + p];
                for (int p = 0; p < hidden; p++) sh += h[l][p] * L.whh()[k * hidden + p];
                accX[k] = sx;
                accH[k] = sh;
            }
            byte[] hl = h[l];
            for (int j = 0; j < hidden; j++) {
                switch (kind) {
                    case RNN -> {
                        int t = tanh[index(gate(L, j, j))];
                        hl[j] = (byte) Math.max(-127, Math.min(127, (t * 127L + (1L << 14)) >> 15));
                    }
                    case LSTM -> {
                        long ig = sigmoid[index(gate(L, j, j))], fg = sigmoid[index(gate(L, hidden + j, hidden + j))];
                        long gg = tanh[index(gate(L, 2 * hidden + j, 2 * hidden + j))], og = sigmoid[index(gate(L, 3 * hidden + j, 3 * hidden + j))];
                        long cn = ((fg * c[l][j] + (1L << 14)) >> 15) + ((ig * gg + (1L << 17)) >> 18);  // Q12
                        c[l][j] = (int) Math.max(-(1L << 30), Math.min(1L << 30, cn));
                        int ci = (int) Math.max(-128, Math.min(127, (c[l][j] * 127L + (1L << 14)) >> 15)) + 128;  // c / GATE_SCALE
                        long tc = tanh[ci];
                        hl[j] = (byte) Math.max(-127, Math.min(127, (og * tc * 127 + (1L << 29)) >> 30));
                    }
                    case GRU -> {
                        long rg = sigmoid[index(gate(L, j, j))], zg = sigmoid[index(gate(L, hidden + j, hidden + j))];
                        int k = 2 * hidden + j;
                        long xn = (long) accX[k] * L.mx()[k] + L.bx()[k], hn = (long) accH[k] * L.mh()[k] + L.bh()[k];
                        long ng = tanh[index(xn + rg * floorShift(hn, 15))];
                        long num = (32768 - zg) * ng * 127 + zg * hl[j] * 32768L;
                        hl[j] = (byte) Math.max(-127, Math.min(127, (num + (1L << 29)) >> 30));
                    }
                }
            }
            System.arraycopy(hl, 0, x, 0, hidden);
            zx = 0;
        }
        byte[] top = h[layersN - 1];
        for (int k = 0; k < vocab; k++) {
            int s = 0;
            for (int p = 0; p < hidden; p++) s += top[p] * head[k * hidden + p];
            logitsAcc[k] = s;
            logitsQ[k] = (byte) Int8.requantize(s + headBias[k], headM0[k], headShift[k], logitParams.zeroPoint(), -128, 127);
            out[k] = logitParams.dequantize(logitsQ[k]);
        }
    }

    /** The x and h parts of gate rows kx (x) and kh (h) summed in 2^R units of GATE_SCALE. */
    private long gate(Layer L, int kx, int kh) {
        return (long) accX[kx] * L.mx()[kx] + L.bx()[kx] + (long) accH[kh] * L.mh()[kh] + L.bh()[kh];
    }

    public byte[] logitsQuantized() { return logitsQ.clone(); }

    public int vocabSize() { return vocab; }

    // what the C generator writes
    public Recurrent.Kind kind() { return kind; }
    public int embedDim() { return embed; }
    public int hiddenSize() { return hidden; }
    public int layerCount() { return layersN; }
    public byte[] table() { return table.clone(); }
    public QuantizedPlan.QParams embedParams() { return embedParams; }
    public Layer layer(int l) { return layers[l]; }
    public byte[] head() { return head.clone(); }
    public int[] headBias() { return headBias.clone(); }
    public int[] headM0() { return headM0.clone(); }
    public int[] headShift() { return headShift.clone(); }
    public QuantizedPlan.QParams logitParams() { return logitParams; }
    public short[] sigmoidTable() { return sigmoid.clone(); }
    public short[] tanhTable() { return tanh.clone(); }

    /** Weight bytes: int8 table, weights and head, int32 multipliers and head bias, int64 gate biases, the two tables. */
    public long weightBytes() {
        long b = table.length + head.length + 4L * 3 * vocab + 2L * 2 * 256;
        for (Layer L : layers) b += L.wih().length + L.whh().length + 4L * (L.mx().length + L.mh().length) + 8L * (L.bx().length + L.bh().length);
        return b;
    }
}
