package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import java.util.Arrays;

/**
 * Max, average and global-average pooling over NCHW input. Global average pooling averages each
 * channel's whole map to [N, C, 1, 1] (ONNX GlobalAveragePool); follow it with Flatten for [N, C].
 *
 * <pre>{@code
 * Pool2d p = Pool2d.max(2);          // 2x2 windows, stride 2
 * Pool2d g = Pool2d.globalAverage();
 * }</pre>
 */
public final class Pool2d extends Module {
    /** The pooling function. */
    public enum Kind { MAX, AVERAGE, GLOBAL_AVERAGE }

    private final Kind kind;
    private final int kernel, stride, padding;
    private final boolean countPad, ceil;

    private Pool2d(Kind kind, int kernel, int stride, int padding, boolean countPad, boolean ceil) {
        if (kind != Kind.GLOBAL_AVERAGE) PoolSpec.of(kernel, stride, padding);  // validates, naming the values
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride == 0 ? kernel : stride;
        this.padding = padding;
        this.countPad = countPad;
        this.ceil = ceil;
    }

    /** Max pooling with square windows; stride 0 means stride = kernel. */
    public static Pool2d max(int kernel, int stride, int padding) { return new Pool2d(Kind.MAX, kernel, stride, padding, false, false); }

    /** Max pooling with output sizes rounded up (ceil_mode: GoogLeNet, SqueezeNet); windows past the edge see only the input. */
    public static Pool2d maxCeil(int kernel, int stride, int padding) { return new Pool2d(Kind.MAX, kernel, stride, padding, false, true); }

    public static Pool2d max(int kernel) { return max(kernel, 0, 0); }

    /** Average pooling; {@code countPad} divides by the full window also at padded borders (PyTorch's default). */
    public static Pool2d average(int kernel, int stride, int padding, boolean countPad) { return new Pool2d(Kind.AVERAGE, kernel, stride, padding, countPad, false); }

    public static Pool2d average(int kernel) { return average(kernel, 0, 0, true); }

    public static Pool2d globalAverage() { return new Pool2d(Kind.GLOBAL_AVERAGE, 1, 1, 0, true, false); }

    public Kind kind() { return kind; }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    /** Average pooling: whether padded taps count in the divisor. */
    public boolean countsPadding() { return countPad; }

    /** Max pooling: whether output sizes round up. */
    public boolean ceilMode() { return ceil; }

    private PoolSpec spec(int h, int w) {
        return kind == Kind.GLOBAL_AVERAGE ? new PoolSpec(h, w, 1, 1, 0, 0) : PoolSpec.of(kernel, stride, padding, ceil);
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        if (s.length != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + Arrays.toString(s));
        check(s[2], s[3], Arrays.toString(s));
        PoolSpec p = spec(s[2], s[3]);
        return kind == Kind.MAX ? Ops.maxPool2d(x, p) : Ops.avgPool2d(x, p, countPad);
    }

    /** Whether {@link #forwardAfterRelu} applies: max pooling (ReLU commutes with max). */
    boolean fusesRelu() { return kind == Kind.MAX; }

    /** This pooling of relu(x), computed in one op as relu of the pooled x (see {@link Ops#reluMaxPool2d}). */
    Variable forwardAfterRelu(Variable x) {
        int[] s = x.shape();
        if (s.length != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + Arrays.toString(s));
        check(s[2], s[3], Arrays.toString(s));
        return Ops.reluMaxPool2d(x, spec(s[2], s[3]));
    }

    private void check(int h, int w, String shape) {
        if (kind != Kind.GLOBAL_AVERAGE && (kernel > h + 2 * padding || kernel > w + 2 * padding)) {
            throw new IllegalArgumentException(this + ": window " + kernel + "x" + kernel + " is larger than the padded input " + (h + 2 * padding) + "x" + (w + 2 * padding) + " (input shape " + shape + ")");
        }
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + input);
        if (kind == Kind.GLOBAL_AVERAGE) return Shape.of(input.dim(0), input.dim(1), 1, 1);
        check(input.dim(2), input.dim(3), input.toString());
        var g = dev.lathe.tensor.Conv.geometry(new int[] {1, 1, input.dim(2), input.dim(3)}, spec(input.dim(2), input.dim(3)));
        return Shape.of(input.dim(0), input.dim(1), g.oh(), g.ow());
    }

    @Override public String toString() {
        return switch (kind) {
            case MAX -> "MaxPool2d(" + kernel + (stride != kernel ? ", stride " + stride : "") + (padding != 0 ? ", pad " + padding : "") + (ceil ? ", ceil" : "") + ")";
            case AVERAGE -> "AvgPool2d(" + kernel + (stride != kernel ? ", stride " + stride : "") + (padding != 0 ? ", pad " + padding : "") + ")";
            case GLOBAL_AVERAGE -> "GlobalAvgPool2d";
        };
    }
}
