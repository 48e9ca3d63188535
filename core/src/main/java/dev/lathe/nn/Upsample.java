package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.kernels.Resize;
import dev.lathe.tensor.Shape;

/**
 * Upsampling of [batch, channels, h, w] by whole factors, nearest or bilinear (PyTorch's
 * {@code nn.Upsample(scale_factor, mode)} with {@code align_corners=False}; ONNX Resize): the decoder
 * half of a segmentation network, a feature pyramid's top-down path. No parameters.
 */
public final class Upsample extends Module {
    private final Resize.Mode mode;
    private final int scaleH, scaleW;

    public Upsample(Resize.Mode mode, int scaleH, int scaleW) {
        if (scaleH < 1 || scaleW < 1) throw new IllegalArgumentException("Upsample: scale " + scaleH + "x" + scaleW + " must be whole numbers >= 1");
        this.mode = mode;
        this.scaleH = scaleH;
        this.scaleW = scaleW;
    }

    public static Upsample nearest(int scale) { return new Upsample(Resize.Mode.NEAREST, scale, scale); }

    public static Upsample bilinear(int scale) { return new Upsample(Resize.Mode.BILINEAR, scale, scale); }

    public Resize.Mode mode() { return mode; }

    public int scaleH() { return scaleH; }

    public int scaleW() { return scaleW; }

    @Override public Variable forward(Variable x) {
        outputShape(Shape.of(x.shape()));
        return Ops.resize(x, mode, scaleH, scaleW);
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() != 4) throw new IllegalArgumentException(this + ": input must be [batch, channels, height, width], got " + input);
        return Shape.of(input.dim(0), input.dim(1), input.dim(2) * scaleH, input.dim(3) * scaleW);
    }

    @Override public String toString() {
        return "Upsample(" + (scaleH == scaleW ? "x" + scaleH : scaleH + "x" + scaleW) + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
