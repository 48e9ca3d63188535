package dev.lathe.tensor;

import java.util.Arrays;
import java.util.Random;

/**
 * An n-dimensional array: a flat float[] (or double[]) with a shape, strides and an offset.
 *
 * <p>Reshape (of contiguous data), permute, transpose and slice are views sharing storage; all
 * other operations return new contiguous tensors. Binary operations broadcast as NumPy does.
 * Tensors carry no gradient information: {@code dev.lathe.autograd.Variable} wraps them for that.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * Tensor y = x.add(Tensor.of(new float[] {10, 20, 30}, 3));   // broadcast over rows
 * Tensor s = y.sum(new int[] {1}, false);                     // shape [2]
 * }</pre>
 */
public final class Tensor {
    final DType dtype;
    final float[] f;   // storage when FLOAT32
    final double[] d;  // storage when FLOAT64
    final int[] shape;
    final int[] strides;
    final int offset;
    final int numel;

    Tensor(DType dtype, float[] f, double[] d, int[] shape, int[] strides, int offset) {
        this.dtype = dtype;
        this.f = f;
        this.d = d;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = count(shape);
    }

    // ---- factories -------------------------------------------------------------------------

    /** Wraps {@code data} (not copied) as a contiguous float32 tensor. */
    public static Tensor of(float[] data, int... shape) {
        checkValues(data.length, shape);
        return new Tensor(DType.FLOAT32, data, null, shape.clone(), contiguousStrides(shape), 0);
    }

    /** Wraps {@code data} (not copied) as a contiguous float64 tensor. */
    public static Tensor of(double[] data, int... shape) {
        checkValues(data.length, shape);
        return new Tensor(DType.FLOAT64, null, data, shape.clone(), contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) { return zeros(DType.FLOAT32, shape); }

    public static Tensor zeros(DType dtype, int... shape) {
        checkShape(shape);
        int n = count(shape);
        return dtype == DType.FLOAT32
                ? new Tensor(dtype, new float[n], null, shape.clone(), contiguousStrides(shape), 0)
                : new Tensor(dtype, null, new double[n], shape.clone(), contiguousStrides(shape), 0);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (dtype == DType.FLOAT32) Arrays.fill(t.f, (float) value); else Arrays.fill(t.d, value);
        return t;
    }

    public static Tensor ones(int... shape) { return full(DType.FLOAT32, 1, shape); }

    public static Tensor scalar(double value) { return full(DType.FLOAT32, value, new int[0]); }

    public static Tensor scalar(DType dtype, double value) { return full(dtype, value, new int[0]); }

    /** Values uniform in [lo, hi). */
    public static Tensor uniform(Random rnd, double lo, double hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.numel; i++) t.f[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return t;
    }

    /** Values from a normal distribution. */
    public static Tensor normal(Random rnd, double mean, double std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.numel; i++) t.f[i] = (float) (mean + std * rnd.nextGaussian());
        return t;
    }

    // ---- shape and element access ----------------------------------------------------------

    public DType dtype() { return dtype; }

    public int[] shape() { return shape.clone(); }

    public int[] strides() { return strides.clone(); }

    public int dim() { return shape.length; }

    public int size(int axis) { return shape[axis(axis)]; }

    public int numel() { return numel; }

    /** True when elements lie in row-major order from the offset with no gaps. */
    public boolean isContiguous() {
        int expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expect) return false;
            expect *= shape[i];
        }
        return true;
    }

    /** Reads one element (slow path, for tests and small jobs). */
    public double get(int... index) { return read(physical(index)); }

    /** Writes one element (slow path, for tests and small jobs). */
    public void set(double value, int... index) { write(physical(index), value); }

    /** The single value of a tensor with one element. */
    public double item() {
        if (numel != 1) throw new IllegalStateException("item(): tensor of shape " + Arrays.toString(shape) + " has " + numel + " elements");
        return read(offset);
    }

    double read(int physicalIndex) { return f != null ? f[physicalIndex] : d[physicalIndex]; }

    void write(int physicalIndex, double v) {
        if (f != null) f[physicalIndex] = (float) v; else d[physicalIndex] = v;
    }

    private int physical(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank " + index.length + ", tensor has shape " + Arrays.toString(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            }
            p += index[i] * strides[i];
        }
        return p;
    }

    /**
     * The backing float array of a contiguous float32 tensor whose data starts at index 0: kernels
     * read and write it directly. Call {@link #contiguous()} first when unsure.
     */
    public float[] floatData() {
        if (f == null || offset != 0 || !isContiguous()) {
            throw new IllegalStateException("floatData(): needs a contiguous float32 tensor at offset 0, have " + describe());
        }
        return f;
    }

    /** Copies the elements in row-major order into a new float array. */
    public float[] toFloatArray() {
        Tensor c = contiguousCopyAs(DType.FLOAT32);
        return c.f;
    }

    /** Copies the elements in row-major order into a new double array. */
    public double[] toDoubleArray() {
        Tensor c = contiguousCopyAs(DType.FLOAT64);
        return c.d;
    }

    // ---- copies and conversions ------------------------------------------------------------

    /** This tensor if contiguous from offset 0, else a contiguous copy. */
    public Tensor contiguous() {
        return offset == 0 && isContiguous() && storageLength() == numel ? this : copy();
    }

    /** A new contiguous tensor with the same values. */
    public Tensor copy() { return contiguousCopyAs(dtype); }

    /** The same values in {@code target} precision (this tensor when the type already matches). */
    public Tensor to(DType target) { return target == dtype ? this : contiguousCopyAs(target); }

    private Tensor contiguousCopyAs(DType target) {
        Tensor out = zeros(target, shape);
        Elementwise.copyInto(this, out);
        return out;
    }

    /** Copies {@code src} (broadcast to this shape) into this tensor, which may be a view. */
    public void assign(Tensor src) { Elementwise.copyInto(src.broadcastTo(shape), this); }

    /** Adds {@code src} (broadcast to this shape) into this tensor in place; this may be a view. */
    public void addInPlace(Tensor src) { Elementwise.addInto(src.broadcastTo(shape), this); }

    /** Sets every element to zero in place. */
    public void zero() {
        if (offset == 0 && isContiguous()) {
            if (f != null) Arrays.fill(f, 0, numel, 0f); else Arrays.fill(d, 0, numel, 0.0);
        } else {
            assign(zeros(dtype));
        }
    }

    private int storageLength() { return f != null ? f.length : d.length; }

    // ---- views -----------------------------------------------------------------------------

    /** Same values in a new shape; one dimension may be -1 (inferred). A view when contiguous. */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape(newShape);
        if (count(s) != numel) {
            throw new IllegalArgumentException("reshape: cannot view " + numel + " elements of shape " + Arrays.toString(shape)
                    + " as " + Arrays.toString(newShape));
        }
        Tensor src = isContiguous() ? this : copy();
        return new Tensor(dtype, src.f, src.d, s, contiguousStrides(s), src.offset);
    }

    /** A view with axes reordered: result axis i is this tensor's axis {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match rank " + shape.length);
        }
        int[] s = new int[order.length], st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int a = axis(order[i]);
            if (seen[a]) throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(order));
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(dtype, f, d, s, st, offset);
    }

    /** A view with two axes swapped. */
    public Tensor transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[axis(a)] = axis(b);
        order[axis(b)] = axis(a);
        return permute(order);
    }

    /** A view of indices [start, end) along {@code axis}. */
    public Tensor slice(int axis, int start, int end) {
        int a = axis(axis);
        if (start < 0 || end > shape[a] || start > end) {
            throw new IndexOutOfBoundsException("slice: [" + start + ", " + end + ") outside axis " + a + " of size " + shape[a]);
        }
        int[] s = shape.clone();
        s[a] = end - start;
        return new Tensor(dtype, f, d, s, strides.clone(), offset + start * strides[a]);
    }

    /** A view of this tensor repeated (stride 0) to {@code target} under broadcasting rules. */
    public Tensor broadcastTo(int... target) {
        if (Arrays.equals(target, shape)) return this;
        if (target.length < shape.length) throw broadcastError(target);
        int[] st = new int[target.length];
        int shift = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - shift;
            if (j < 0) continue;
            if (shape[j] == target[i]) st[i] = strides[j];
            else if (shape[j] == 1) st[i] = 0;
            else throw broadcastError(target);
        }
        return new Tensor(dtype, f, d, target.clone(), st, offset);
    }

    private IllegalArgumentException broadcastError(int[] target) {
        return new IllegalArgumentException("cannot broadcast shape " + Arrays.toString(shape) + " to " + Arrays.toString(target));
    }

    // ---- arithmetic (delegating to the kernels) ---------------------------------------------

    public Tensor add(Tensor o) { return Elementwise.binary(Elementwise.Op.ADD, this, o); }

    public Tensor sub(Tensor o) { return Elementwise.binary(Elementwise.Op.SUB, this, o); }

    public Tensor mul(Tensor o) { return Elementwise.binary(Elementwise.Op.MUL, this, o); }

    public Tensor div(Tensor o) { return Elementwise.binary(Elementwise.Op.DIV, this, o); }

    /** Elementwise 1.0 where this &gt; other, else 0.0 (used by max and relu gradients). */
    public Tensor greater(Tensor o) { return Elementwise.binary(Elementwise.Op.GREATER, this, o); }

    /** This tensor where {@code x} &gt; 0, else 0 (the ReLU gradient applied to this upstream gradient). */
    public Tensor reluMask(Tensor x) { return Elementwise.binary(Elementwise.Op.RELU_MASK, this, x); }

    public Tensor mul(double s) { return Elementwise.unary(Elementwise.Fn.SCALE, this, s); }

    public Tensor add(double s) { return Elementwise.unary(Elementwise.Fn.SHIFT, this, s); }

    public Tensor neg() { return mul(-1.0); }

    public Tensor exp() { return Elementwise.unary(Elementwise.Fn.EXP, this, 0); }

    public Tensor log() { return Elementwise.unary(Elementwise.Fn.LOG, this, 0); }

    public Tensor sqrt() { return Elementwise.unary(Elementwise.Fn.SQRT, this, 0); }

    public Tensor pow(double p) { return Elementwise.unary(Elementwise.Fn.POW, this, p); }

    public Tensor relu() { return Elementwise.unary(Elementwise.Fn.RELU, this, 0); }

    public Tensor leakyRelu(double slope) { return Elementwise.unary(Elementwise.Fn.LEAKY_RELU, this, slope); }

    public Tensor sigmoid() { return Elementwise.unary(Elementwise.Fn.SIGMOID, this, 0); }

    public Tensor tanh() { return Elementwise.unary(Elementwise.Fn.TANH, this, 0); }

    /** Elementwise gradient of leaky ReLU (slope 0 gives ReLU's): 1 where x &gt; 0, else slope. */
    public Tensor leakyReluGrad(double slope) { return Elementwise.unary(Elementwise.Fn.LEAKY_RELU_GRAD, this, slope); }

    /** Values limited to [lo, hi]. */
    public Tensor clamp(double lo, double hi) { return Elementwise.clamp(this, lo, hi); }

    // ---- reductions ------------------------------------------------------------------------

    /** Sum over all elements, as a scalar tensor. */
    public Tensor sum() { return Reduce.sum(this, allAxes(), false); }

    /** Sum over {@code axes}; {@code keepDims} leaves them as size 1. */
    public Tensor sum(int[] axes, boolean keepDims) { return Reduce.sum(this, normalizeAxes(axes), keepDims); }

    /** Sum down to {@code target}, undoing a broadcast from {@code target} to this shape. */
    public Tensor sumTo(int... target) { return Reduce.sumTo(this, target); }

    /** Maximum along one axis. */
    public Tensor max(int axis, boolean keepDim) { return Reduce.max(this, axis(axis), keepDim); }

    /** Index of the maximum along one axis (first one on ties). */
    public int[] argmax(int axis) { return Reduce.argmax(this, axis(axis)); }

    // ---- linear algebra and row ops ----------------------------------------------------------

    /** Matrix product over the last two axes, batch axes broadcast; 1-D operands as in NumPy. */
    public Tensor matmul(Tensor o) { return MatMul.matmul(this, o); }

    /**
     * x [rows, in] times w [out, in] transposed, plus b [out] (or null): a dense layer in one GEMM
     * call, the bias added by the GEMM epilogue for float32.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) { return MatMul.linear(x, w, b); }

    /** log(softmax(x)) along {@code axis}, computed stably. */
    public Tensor logSoftmax(int axis) { return RowOps.logSoftmax(this, axis(axis)); }

    /** softmax along {@code axis}. */
    public Tensor softmax(int axis) { return RowOps.softmax(this, axis(axis)); }

    /** Joins tensors along {@code axis}; all other dimensions must agree. */
    public static Tensor concat(int axis, Tensor... parts) { return RowOps.concat(axis, parts); }

    // ---- helpers -----------------------------------------------------------------------------

    /** Resolves a possibly negative axis against this tensor's rank. */
    public int axis(int a) {
        int r = a < 0 ? a + shape.length : a;
        if (r < 0 || r >= shape.length) {
            throw new IllegalArgumentException("axis " + a + " out of range for shape " + Arrays.toString(shape));
        }
        return r;
    }

    private int[] allAxes() {
        int[] a = new int[shape.length];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    private int[] normalizeAxes(int[] axes) {
        int[] a = new int[axes.length];
        for (int i = 0; i < a.length; i++) a[i] = axis(axes[i]);
        return a;
    }

    private int[] inferShape(int[] s) {
        int[] r = s.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(s));
                infer = i;
            } else if (r[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(s));
            } else {
                known *= r[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + numel + " elements as " + Arrays.toString(s));
            }
            r[infer] = numel / known;
        }
        return r;
    }

    /** Elements of a shape; more than 2^31-1 is an error naming it. */
    public static int count(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    /** Row-major strides of a shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    private static void checkValues(int values, int[] shape) {
        checkShape(shape);
        if (values != count(shape)) {
            throw new IllegalArgumentException("Tensor.of: shape " + Arrays.toString(shape) + " needs " + count(shape) + " values, got " + values);
        }
    }

    private static void checkShape(int[] shape) {
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
        }
    }

    /** Shape and type, e.g. {@code float32[64, 784]}. */
    public String describe() {
        return dtype.name().toLowerCase() + Arrays.toString(shape) + (isContiguous() ? "" : " (strided view)");
    }

    @Override public String toString() {
        if (numel > 64) return "Tensor " + describe();
        return "Tensor " + describe() + " " + Arrays.toString(toDoubleArray());
    }
}
