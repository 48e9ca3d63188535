package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * 2-D convolution over NCHW input: weights [out, in/groups, k, k], bias [out]. Depthwise is
 * {@code groups == in == out}; pointwise is kernel 1. "Same" padding (stride 1, odd kernel) keeps
 * height and width.
 *
 * <pre>{@code
 * Conv2d c = Conv2d.builder(3, 16, 5).same().build();            // [N,3,32,32] -> [N,16,32,32]
 * Conv2d dw = Conv2d.builder(32, 32, 3).stride(2).padding(1).groups(32).bias(false).build();
 * }</pre>
 */
public final class Conv2d extends Module {
    private final int in, out, kernel;
    private final ConvSpec spec;
    private final boolean hasBias;
    private final Init init;
    private final Variable weight, bias;

    private Conv2d(Builder b) {
        String name = "Conv2d(" + b.in + "→" + b.out + ", " + b.kernel + "x" + b.kernel + ")";
        if (b.in < 1 || b.out < 1 || b.kernel < 1) throw new IllegalArgumentException(name + ": channels and kernel must be positive");
        if (b.stride < 1 || b.dilation < 1) throw new IllegalArgumentException(name + ": stride " + b.stride + " and dilation " + b.dilation + " must be >= 1");
        if (b.groups < 1 || b.in % b.groups != 0 || b.out % b.groups != 0) {
            throw new IllegalArgumentException(name + ": groups " + b.groups + " must divide in " + b.in + " and out " + b.out);
        }
        int pad = b.padding;
        if (b.same) {
            if (b.stride != 1 || b.kernel % 2 == 0) throw new IllegalArgumentException(name + ": 'same' padding needs stride 1 and an odd kernel");
            pad = b.dilation * (b.kernel - 1) / 2;
        }
        if (pad < 0) throw new IllegalArgumentException(name + ": padding must be >= 0, got " + pad);
        this.in = b.in;
        this.out = b.out;
        this.kernel = b.kernel;
        this.spec = new ConvSpec(b.stride, b.stride, pad, pad, b.dilation, b.dilation, b.groups);
        this.hasBias = b.bias;
        this.init = b.init;
        int cg = in / b.groups;
        this.weight = registerParameter("weight", init.create(new Random(0), cg * kernel * kernel, out / b.groups * kernel * kernel, out, cg, kernel, kernel));
        this.bias = hasBias ? registerParameter("bias", Tensor.zeros(out)) : null;
    }

    public static Builder builder(int in, int out, int kernel) { return new Builder(in, out, kernel); }

    /** Stride 1, no padding, bias, He-uniform weights. */
    public Conv2d(int in, int out, int kernel) { this(new Builder(in, out, kernel)); }

    public ConvSpec spec() { return spec; }

    public Variable weight() { return weight; }

    public Variable bias() { return bias; }

    public int inChannels() { return in; }

    public int outChannels() { return out; }

    public int kernelSize() { return kernel; }

    @Override public void resetParameters(Random rnd) {
        int cg = in / spec.groups();
        weight.setData(init.create(rnd, cg * kernel * kernel, out / spec.groups() * kernel * kernel, out, cg, kernel, kernel).to(weight.dtype()));
        if (bias != null) bias.setData(Tensor.zeros(out).to(bias.dtype()));
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        check(s.length, s.length == 4 ? s[1] : -1, s.length == 4 ? s[2] : 0, s.length == 4 ? s[3] : 0, Arrays.toString(s));
        return Ops.conv2d(x, weight, bias, spec);
    }

    private void check(int rank, int channels, int h, int w, String shape) {
        if (rank != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + shape);
        if (channels != in) throw new IllegalArgumentException(this + ": input has " + channels + " channels, expected " + in + " (input shape " + shape + ")");
        int eff = spec.dilationH() * (kernel - 1) + 1;
        if (eff > h + 2 * spec.padH() || eff > w + 2 * spec.padW()) {
            throw new IllegalArgumentException(this + ": kernel " + kernel + "x" + kernel + " is larger than the padded input "
                    + (h + 2 * spec.padH()) + "x" + (w + 2 * spec.padW()) + " (input shape " + shape + ")");
        }
    }

    @Override public Shape outputShape(Shape input) {
        check(input.rank(), input.rank() == 4 ? input.dim(1) : -1, input.rank() == 4 ? input.dim(2) : 0, input.rank() == 4 ? input.dim(3) : 0, input.toString());
        int eff = spec.dilationH() * (kernel - 1) + 1;
        int oh = (input.dim(2) + 2 * spec.padH() - eff) / spec.strideH() + 1, ow = (input.dim(3) + 2 * spec.padW() - eff) / spec.strideW() + 1;
        return Shape.of(input.dim(0), out, oh, ow);
    }

    @Override public long macs(Shape input) {
        Shape o = outputShape(input);
        return (long) out * o.dim(2) * o.dim(3) * (in / spec.groups()) * kernel * kernel;
    }

    @Override public String toString() {
        StringBuilder b = new StringBuilder("Conv2d(" + in + "→" + out + ", " + kernel + "x" + kernel);
        if (spec.strideH() != 1) b.append(", stride ").append(spec.strideH());
        if (spec.padH() != 0) b.append(", pad ").append(spec.padH());
        if (spec.dilationH() != 1) b.append(", dilation ").append(spec.dilationH());
        if (spec.groups() != 1) b.append(spec.groups() == in && in == out ? ", depthwise" : ", groups " + spec.groups());
        if (!hasBias) b.append(", no bias");
        return b.append(')').toString();
    }

    /** Optional settings of a {@link Conv2d}. */
    public static final class Builder {
        private final int in, out, kernel;
        private int stride = 1, padding, dilation = 1, groups = 1;
        private boolean same, bias = true;
        private Init init = Init.heUniform();

        private Builder(int in, int out, int kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int s) { stride = s; return this; }

        public Builder padding(int p) { padding = p; same = false; return this; }

        /** Pads so the output keeps the input's height and width (stride 1, odd kernel). */
        public Builder same() { same = true; return this; }

        public Builder dilation(int d) { dilation = d; return this; }

        public Builder groups(int g) { groups = g; return this; }

        public Builder bias(boolean b) { bias = b; return this; }

        public Builder init(Init i) { init = i; return this; }

        public Conv2d build() { return new Conv2d(this); }
    }
}
