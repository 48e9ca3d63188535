package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;

/**
 * Transposed 2-D convolution ("deconvolution"): weights [in, out/groups, k, k] (PyTorch's layout),
 * bias [out]. Stride s multiplies the height and width: out = (in - 1) s - 2 pad + k + outputPadding.
 * A segmentation decoder's learned upsampling, e.g. kernel 2, stride 2 doubles them.
 *
 * <pre>{@code
 * ConvTranspose2d up = ConvTranspose2d.builder(64, 32, 2).stride(2).build();   // [N,64,8,8] -> [N,32,16,16]
 * }</pre>
 */
public final class ConvTranspose2d extends Module {
    private final int in, out, kernel, outPad;
    private final ConvSpec spec;
    private final boolean hasBias;
    private final Init init;
    private final Variable weight, bias;

    private ConvTranspose2d(Builder b) {
        String name = "ConvTranspose2d(" + b.in + "→" + b.out + ", " + b.kernel + "x" + b.kernel + ")";
        if (b.in < 1 || b.out < 1 || b.kernel < 1) throw new IllegalArgumentException(name + ": channels and kernel must be positive");
        if (b.stride < 1 || b.padding < 0) throw new IllegalArgumentException(name + ": stride " + b.stride + " must be >= 1 and padding " + b.padding + " >= 0");
        if (b.groups < 1 || b.in % b.groups != 0 || b.out % b.groups != 0) throw new IllegalArgumentException(name + ": groups " + b.groups + " must divide in " + b.in + " and out " + b.out);
        if (b.outputPadding < 0 || b.outputPadding >= b.stride) throw new IllegalArgumentException(name + ": output padding " + b.outputPadding + " must be in [0, stride " + b.stride + ")");
        this.in = b.in;
        this.out = b.out;
        this.kernel = b.kernel;
        this.outPad = b.outputPadding;
        this.spec = new ConvSpec(b.stride, b.stride, b.padding, b.padding, 1, 1, b.groups);
        this.hasBias = b.bias;
        this.init = b.init;
        int og = out / b.groups;
        this.weight = registerParameter("weight", init.create(new Random(0), og * kernel * kernel, in / b.groups * kernel * kernel, in, og, kernel, kernel));
        this.bias = hasBias ? registerParameter("bias", Tensor.zeros(out)) : null;
    }

    public static Builder builder(int in, int out, int kernel) { return new Builder(in, out, kernel); }

    public ConvSpec spec() { return spec; }

    public int outputPadding() { return outPad; }

    public Variable weight() { return weight; }

    public Variable bias() { return bias; }

    public int inChannels() { return in; }

    public int outChannels() { return out; }

    public int kernelSize() { return kernel; }

    @Override public void resetParameters(Random rnd) {
        int og = out / spec.groups();
        weight.setData(init.create(rnd, og * kernel * kernel, in / spec.groups() * kernel * kernel, in, og, kernel, kernel).to(weight.dtype()));
        if (bias != null) bias.setData(Tensor.zeros(out).to(bias.dtype()));
    }

    @Override public Variable forward(Variable x) {
        outputShape(Shape.of(x.shape()));
        return Ops.convTranspose2d(x, weight, bias, spec, outPad, outPad);
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() != 4 || input.dim(1) != in) throw new IllegalArgumentException(this + ": input must be [batch, " + in + ", height, width], got " + input);
        int[] s = Conv.convTransposeShape(new int[] {1, in, input.dim(2), input.dim(3)}, weight.shape(), spec, outPad, outPad);
        return Shape.of(input.dim(0), s[1], s[2], s[3]);
    }

    @Override public long macs(Shape input) { return (long) in * input.dim(2) * input.dim(3) * (out / spec.groups()) * kernel * kernel; }

    @Override public String toString() {
        StringBuilder b = new StringBuilder("ConvTranspose2d(" + in + "→" + out + ", " + kernel + "x" + kernel);
        if (spec.strideH() != 1) b.append(", stride ").append(spec.strideH());
        if (spec.padH() != 0) b.append(", pad ").append(spec.padH());
        if (outPad != 0) b.append(", output pad ").append(outPad);
        if (spec.groups() != 1) b.append(", groups ").append(spec.groups());
        if (!hasBias) b.append(", no bias");
        return b.append(')').toString();
    }

    /** Optional settings of a {@link ConvTranspose2d}. */
    public static final class Builder {
        private final int in, out, kernel;
        private int stride = 1, padding, outputPadding, groups = 1;
        private boolean bias = true;
        private Init init = Init.heUniform();

        private Builder(int in, int out, int kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int s) { stride = s; return this; }

        public Builder padding(int p) { padding = p; return this; }

        public Builder outputPadding(int p) { outputPadding = p; return this; }

        public Builder groups(int g) { groups = g; return this; }

        public Builder bias(boolean b) { bias = b; return this; }

        public Builder init(Init i) { init = i; return this; }

        public ConvTranspose2d build() { return new ConvTranspose2d(this); }
    }
}
