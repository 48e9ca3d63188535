package dev.lathe.ir;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * One operation of the inference IR: what a frozen model computes, apart from how any backend
 * computes it. Every backend (the fp32 and int8 sessions, C export, ONNX export of a plan) switches
 * over this sealed type without a default, so an op a backend has no case for does not compile; a
 * case that cannot run a particular instance throws an error naming the node and what it lacks.
 * Weights are held as tensors, values are [batch, ...] with the batch first; each op infers its
 * output shape from its input shapes ({@link #outputShape}) without computing.
 */
public sealed interface Op {
    /** The output shape for these input shapes; an error naming the shapes when they do not fit. */
    Shape outputShape(List<Shape> inputs);

    /** How many inputs the op reads (-1: two or more). */
    default int arity() { return 1; }

    /** A 2-D convolution, weight [out, in/groups, kh, kw], bias [out] or null; {@code epilogue} a fused {@link Epilogue} activation. */
    record Conv2d(Tensor weight, Tensor bias, ConvSpec spec, int epilogue) implements Op {
        public Conv2d {
            if (weight.dim() != 4) throw new IllegalArgumentException("Conv2d: weight must be [out, in/groups, kh, kw], got " + Arrays.toString(weight.shape()));
            if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) throw new IllegalArgumentException("Conv2d: bias " + Arrays.toString(bias.shape()) + " for " + weight.size(0) + " output channels");
        }

        public int outChannels() { return weight.size(0); }

        public int inChannels() { return weight.size(1) * spec.groups(); }

        /** The kernel geometry for one sample of {@code in} [n, c, h, w]. */
        public ConvGeometry geometry(Shape in) { return Conv.geometry(new int[] {1, in.dim(1), in.dim(2), in.dim(3)}, weight.shape(), spec); }

        public Conv2d withEpilogue(int e) { return new Conv2d(weight, bias, spec, e); }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + x);
            ConvGeometry g = geometry(x);
            return Shape.of(x.dim(0), outChannels(), g.oh(), g.ow());
        }

        @Override public String toString() {
            int kh = weight.size(2), kw = weight.size(3);
            StringBuilder b = new StringBuilder("Conv2d(" + inChannels() + "→" + outChannels() + ", " + kh + "x" + kw);
            if (spec.strideH() != 1 || spec.strideW() != 1) b.append(", stride ").append(spec.strideH() == spec.strideW() ? spec.strideH() : spec.strideH() + "x" + spec.strideW());
            if (spec.padH() != 0 || spec.padW() != 0) b.append(", pad ").append(spec.padH() == spec.padW() ? spec.padH() : spec.padH() + "x" + spec.padW());
            if (spec.dilationH() != 1) b.append(", dilation ").append(spec.dilationH());
            if (spec.groups() != 1) b.append(spec.groups() == inChannels() && inChannels() == outChannels() ? ", depthwise" : ", groups " + spec.groups());
            if (bias == null) b.append(", no bias");
            return b.append(')').append(Names.epilogue(epilogue)).toString();
        }
    }

    /** A dense layer y = x W^T + b on the last axis, weight [out, in], bias [out] or null. */
    record Dense(Tensor weight, Tensor bias, int epilogue) implements Op {
        public Dense {
            if (weight.dim() != 2) throw new IllegalArgumentException("Dense: weight must be [out, in], got " + Arrays.toString(weight.shape()));
            if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) throw new IllegalArgumentException("Dense: bias " + Arrays.toString(bias.shape()) + " for " + weight.size(0) + " outputs");
        }

        public int inFeatures() { return weight.size(1); }

        public int outFeatures() { return weight.size(0); }

        public Dense withEpilogue(int e) { return new Dense(weight, bias, e); }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() < 2 || x.dim(-1) != inFeatures()) throw new IllegalArgumentException(this + ": input must end in " + inFeatures() + " features, got " + x);
            return x.with(x.rank() - 1, outFeatures());
        }

        @Override public String toString() { return "Linear(" + inFeatures() + "→" + outFeatures() + (bias == null ? ", no bias" : "") + ")" + Names.epilogue(epilogue); }
    }

    /** Max or average pooling over a window, or the average of each whole plane ({@code spec} null). */
    record Pool(Kind kind, PoolSpec spec, boolean countPad) implements Op {
        public enum Kind { MAX, AVERAGE, GLOBAL_AVERAGE }

        public Pool {
            if ((kind == Kind.GLOBAL_AVERAGE) != (spec == null)) throw new IllegalArgumentException("Pool: a global average has no window, the others one");
        }

        public static Pool globalAverage() { return new Pool(Kind.GLOBAL_AVERAGE, null, true); }

        /** The window for an input [n, c, h, w]: a global average's is the whole plane. */
        public PoolSpec window(Shape in) { return kind == Kind.GLOBAL_AVERAGE ? new PoolSpec(in.dim(2), in.dim(3), 1, 1, 0, 0) : spec; }

        /** Whether padded taps count in an average's divisor (always, for a global average: it has none). */
        public boolean countsPadding() { return kind == Kind.GLOBAL_AVERAGE || countPad; }

        public ConvGeometry geometry(Shape in) { return Conv.geometry(new int[] {1, in.dim(1), in.dim(2), in.dim(3)}, window(in)); }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + x);
            ConvGeometry g = geometry(x);
            return Shape.of(x.dim(0), x.dim(1), g.oh(), g.ow());
        }

        @Override public String toString() {
            if (kind == Kind.GLOBAL_AVERAGE) return "GlobalAvgPool2d";
            String k = spec.kernelH() == spec.kernelW() ? "" + spec.kernelH() : spec.kernelH() + "x" + spec.kernelW();
            return (kind == Kind.MAX ? "MaxPool2d(" : "AvgPool2d(") + k + (spec.strideH() != spec.kernelH() ? ", stride " + spec.strideH() : "")
                    + (spec.padH() != 0 ? ", pad " + spec.padH() : "") + (spec.ceil() ? ", ceil" : "") + ")";
        }
    }

    /** Batch normalization with inference statistics over axis 1: (x - mean) / sqrt(var + eps) * gamma + beta. */
    record BatchNorm(Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps) implements Op {
        public int channels() { return gamma.numel(); }

        /** Per channel {scale, shift} with y = x * scale + shift (what the kernels apply). */
        public float[][] scaleShift() {
            float[] gm = gamma.toFloatArray(), bt = beta.toFloatArray(), mu = mean.toFloatArray(), vr = var.toFloatArray();
            int c = gm.length;
            float[] scale = new float[c], shift = new float[c];
            for (int k = 0; k < c; k++) {
                scale[k] = (float) (gm[k] / Math.sqrt(vr[k] + eps));
                shift[k] = bt[k] - mu[k] * scale[k];
            }
            return new float[][] {scale, shift};
        }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() < 2 || x.dim(1) != channels()) throw new IllegalArgumentException(this + ": input must be [batch, " + channels() + ", ...], got " + x);
            return x;
        }

        @Override public String toString() { return "BatchNorm2d(" + channels() + ")"; }
    }

    /** An element-wise activation, or softmax / log-softmax over the last axis. */
    record Activation(Kind kind, double slope) implements Op {
        public enum Kind { RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, SOFTMAX, LOG_SOFTMAX }

        public static Activation of(Kind k) { return new Activation(k, 0); }

        /** The GEMM epilogue this activation becomes when fused, or -1 when it has none. */
        public int epilogue() { return kind == Kind.RELU ? Epilogue.RELU : kind == Kind.RELU6 ? Epilogue.RELU6 : -1; }

        @Override public Shape outputShape(List<Shape> in) { return in.get(0); }

        @Override public String toString() {
            return switch (kind) {
                case RELU -> "ReLU";
                case RELU6 -> "ReLU6";
                case LEAKY_RELU -> "LeakyReLU(" + slope + ")";
                case SIGMOID -> "Sigmoid";
                case TANH -> "Tanh";
                case SOFTMAX -> "Softmax";
                case LOG_SOFTMAX -> "LogSoftmax";
            };
        }
    }

    /** The element-wise sum of two or more values of one shape. */
    record Add() implements Op {
        @Override public int arity() { return -1; }

        @Override public Shape outputShape(List<Shape> in) {
            for (Shape s : in) if (!s.equals(in.get(0))) throw new IllegalArgumentException("Add: inputs " + in + " differ in shape");
            return in.get(0);
        }

        @Override public String toString() { return "Add"; }
    }

    /** Values joined along axis 1 (channels or features); the other axes must agree. */
    record Concat() implements Op {
        @Override public int arity() { return -1; }

        @Override public Shape outputShape(List<Shape> in) {
            Shape first = in.get(0);
            int c = 0;
            for (Shape s : in) {
                if (s.rank() != first.rank() || s.rank() < 2) throw new IllegalArgumentException("Concat: inputs " + in + " differ in rank");
                for (int d = 0; d < s.rank(); d++) if (d != 1 && s.dim(d) != first.dim(d)) throw new IllegalArgumentException("Concat: inputs " + in + " differ outside axis 1");
                c += s.dim(1);
            }
            return first.with(1, c);
        }

        @Override public String toString() { return "Concat"; }
    }

    /**
     * The same values in a new shape (a view: no copy, no buffer of its own). {@code sample} is the
     * shape of one sample, one entry may be -1 (inferred): a flatten is {@code [-1]}.
     */
    record Reshape(int[] sample) implements Op {
        public static Reshape flatten() { return new Reshape(new int[] {-1}); }

        /** The identity as a view: {@code in}'s own sample shape (a graph whose output is its input). */
        public static Reshape keeping(Shape in) { return new Reshape(Arrays.copyOfRange(in.dims(), 1, in.rank())); }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            long n = x.sampleSize(), known = 1;
            int infer = -1;
            for (int i = 0; i < sample.length; i++) {
                if (sample[i] == -1 && infer < 0) infer = i;
                else if (sample[i] < 1) throw new IllegalArgumentException(this + ": bad dimension " + sample[i]);
                else known *= sample[i];
            }
            int[] d = new int[sample.length + 1];
            d[0] = x.dim(0);
            for (int i = 0; i < sample.length; i++) d[i + 1] = sample[i];
            if (infer >= 0) {
                if (n % known != 0) throw new IllegalArgumentException(this + ": " + n + " values per sample do not divide into " + known);
                d[infer + 1] = (int) (n / known);
            } else if (known != n) {
                throw new IllegalArgumentException(this + ": " + n + " values per sample cannot be viewed as " + Arrays.toString(sample));
            }
            return Shape.of(d);
        }

        @Override public boolean equals(Object o) { return o instanceof Reshape r && Arrays.equals(sample, r.sample); }

        @Override public int hashCode() { return Arrays.hashCode(sample); }

        @Override public String toString() { return Arrays.equals(sample, new int[] {-1}) ? "Flatten" : "Reshape" + Arrays.toString(sample); }
    }

    /** Upsampling by whole factors, nearest or bilinear ({@link dev.lathe.kernels.Resize}: PyTorch's and ONNX Resize's conventions). */
    record Resize(dev.lathe.kernels.Resize.Mode mode, int scaleH, int scaleW) implements Op {
        public Resize {
            if (scaleH < 1 || scaleW < 1) throw new IllegalArgumentException("Resize: scales " + scaleH + "x" + scaleW + " must be whole numbers >= 1");
        }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + x);
            return Shape.of(x.dim(0), x.dim(1), x.dim(2) * scaleH, x.dim(3) * scaleW);
        }

        @Override public String toString() { return "Resize(x" + (scaleH == scaleW ? "" + scaleH : scaleH + "x" + scaleW) + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + ")"; }
    }

    /** A transposed convolution, weight [in, out/groups, kh, kw], bias [out] or null: the adjoint of a conv with that spec. */
    record ConvTranspose2d(Tensor weight, Tensor bias, ConvSpec spec, int outPadH, int outPadW) implements Op {
        public ConvTranspose2d {
            if (weight.dim() != 4) throw new IllegalArgumentException("ConvTranspose2d: weight must be [in, out/groups, kh, kw], got " + Arrays.toString(weight.shape()));
        }

        public int inChannels() { return weight.size(0); }

        public int outChannels() { return weight.size(1) * spec.groups(); }

        /** The geometry of the conv this op is the adjoint of, for one sample: its input is this op's output. */
        public ConvGeometry geometry(Shape out) { return Conv.geometry(new int[] {1, out.dim(1), out.dim(2), out.dim(3)}, weight.shape(), spec); }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + x);
            int[] s = Conv.convTransposeShape(new int[] {1, x.dim(1), x.dim(2), x.dim(3)}, weight.shape(), spec, outPadH, outPadW);
            return Shape.of(x.dim(0), s[1], s[2], s[3]);
        }

        @Override public String toString() {
            return "ConvTranspose2d(" + inChannels() + "→" + outChannels() + ", " + weight.size(2) + "x" + weight.size(3) + (spec.strideH() != 1 ? ", stride " + spec.strideH() : "")
                    + (spec.padH() != 0 ? ", pad " + spec.padH() : "") + (outPadH != 0 || outPadW != 0 ? ", output pad " + outPadH : "") + (bias == null ? ", no bias" : "") + ")";
        }
    }

    /** Zero padding of [n, c, h, w] by different amounts per side (ONNX's asymmetric conv and pool pads become this node before the op). */
    record Pad(int top, int left, int bottom, int right) implements Op {
        public Pad {
            if (top < 0 || left < 0 || bottom < 0 || right < 0) throw new IllegalArgumentException("Pad: amounts " + List.of(top, left, bottom, right) + " must be >= 0");
        }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + x);
            return Shape.of(x.dim(0), x.dim(1), x.dim(2) + top + bottom, x.dim(3) + left + right);
        }

        @Override public String toString() { return "Pad(top " + top + ", left " + left + ", bottom " + bottom + ", right " + right + ")"; }
    }

    /** The axes of a value reordered ({@code perm} over all axes; the batch stays first): an NHWC input made NCHW, say. */
    record Transpose(int[] perm) implements Op {
        public Transpose {
            boolean[] seen = new boolean[perm.length];
            for (int p : perm) {
                if (p < 0 || p >= perm.length || seen[p]) throw new IllegalArgumentException("Transpose: " + Arrays.toString(perm) + " is not a permutation");
                seen[p] = true;
            }
            if (perm.length == 0 || perm[0] != 0) throw new IllegalArgumentException("Transpose: " + Arrays.toString(perm) + " moves the batch axis; the runtime keeps it first");
            perm = perm.clone();
        }

        @Override public Shape outputShape(List<Shape> in) {
            Shape x = in.get(0);
            if (x.rank() != perm.length) throw new IllegalArgumentException(this + ": input " + x + " has " + x.rank() + " axes");
            int[] d = new int[perm.length];
            for (int i = 0; i < d.length; i++) d[i] = x.dim(perm[i]);
            return Shape.of(d);
        }

        @Override public boolean equals(Object o) { return o instanceof Transpose t && Arrays.equals(perm, t.perm); }

        @Override public int hashCode() { return Arrays.hashCode(perm); }

        @Override public String toString() { return "Transpose" + Arrays.toString(perm); }
    }

    /** Dropout: the identity at inference, removed by {@link RemoveDropout}; kept in a lowered program so the pass is a pass. */
    record Dropout(double p) implements Op {
        @Override public Shape outputShape(List<Shape> in) { return in.get(0); }

        @Override public String toString() { return "Dropout(" + p + ")"; }
    }

    /** Small helpers shared by the records. */
    final class Names {
        private Names() {}

        static String epilogue(int e) { return e == Epilogue.RELU ? " + ReLU" : e == Epilogue.RELU6 ? " + ReLU6" : ""; }
    }
}
