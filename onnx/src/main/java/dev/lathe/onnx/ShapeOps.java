package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.check;
import static dev.lathe.onnx.Operators.make;
import static dev.lathe.onnx.Operators.nd;
import static dev.lathe.onnx.Operators.one;
import static dev.lathe.onnx.Operators.reshaped;
import static dev.lathe.onnx.Operators.wrap;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto.DataType;

/**
 * ONNX shape and data-movement operators (data moves through {@link Nd} on double arrays, in the input's
 * element type): reshapes, transposes, concatenation and splits, slicing, gathers, padding, tiling, masks and
 * one-hot, depth/space rearrangement, and the ops that make constants, shapes and ranges.
 */
final class ShapeOps {
    private ShapeOps() {}

    static void register(Operators.Table t) {
        t.add("Identity", (n, in, at, opset) -> one(in[0]));
        t.add("Dropout", (n, in, at, opset) -> {
            check(in.length < 3 || in[2] == null || in[2].tensor().item() == 0, "Dropout in training mode (random)");
            return n.getOutputCount() > 1
                ? new Value[] {in[0], new Value(Tensor.full(DType.FLOAT64, 1, in[0].shape()), DataType.BOOL_VALUE)} : one(in[0]);
        });
        t.add("Flatten", (n, in, at, opset) -> one(flatten(in[0], (int) at.integer("axis", 1))));
        t.add("Reshape", (n, in, at, opset) -> one(reshape(in[0], in[1].longs(), at.integer("allowzero", 0) == 1)));
        t.add("Transpose", (n, in, at, opset) -> one(transpose(in[0], at)));
        t.add("Concat", (n, in, at, opset) -> one(concat(in, (int) at.integer("axis", 0))));
        t.add("Split", (n, in, at, opset) -> split(in, at, n.getOutputCount(), opset));
        t.add("Slice", (n, in, at, opset) -> one(slice(in, at, opset)));
        t.add("Squeeze", (n, in, at, opset) -> one(squeeze(in, at, opset)));
        t.add("Unsqueeze", (n, in, at, opset) -> one(unsqueeze(in, at, opset)));
        t.add("Gather", (n, in, at, opset) -> one(gather(in[0], in[1], (int) at.integer("axis", 0))));
        t.add("GatherElements", (n, in, at, opset) -> one(gatherElements(in[0], in[1], (int) at.integer("axis", 0))));
        t.add("Pad", (n, in, at, opset) -> one(pad(in, at, opset)));
        t.add("Tile", (n, in, at, opset) -> one(wrap(Nd.tile(nd(in[0]), in[1].longs()), in[0])));
        t.add("Expand", (n, in, at, opset) -> one(wrap(Nd.expand(nd(in[0]), Nd.broadcast(in[0].shape(), toInts(in[1].longs()))), in[0])));
        t.add("Trilu", (n, in, at, opset) -> one(trilu(in, at)));
        t.add("OneHot", (n, in, at, opset) -> one(oneHot(in, (int) at.integer("axis", -1))));
        for (String op : List.of("DepthToSpace", "SpaceToDepth")) t.add(op, (n, in, at, opset) -> one(depthSpace(op, in[0], (int) at.integer("blocksize", 1), at.string("mode", "DCR"))));
        t.add("Constant", (n, in, at, opset) -> one(constant(at, n)));
        t.add("Shape", (n, in, at, opset) -> one(shape(in[0], at)));
        t.add("Size", (n, in, at, opset) -> one(Value.ints(Tensor.of(new double[] {in[0].tensor().numel()}))));
        t.add("ConstantOfShape", (n, in, at, opset) -> one(constantOfShape(in[0], at, n)));
        t.add("Range", (n, in, at, opset) -> one(range(in)));
    }

    private static int[] toInts(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    private static Value flatten(Value v, int axis) {
        int[] s = v.shape();
        if (axis < 0) axis += s.length;
        int a = 1, b = 1;
        for (int d = 0; d < s.length; d++) if (d < axis) a *= s[d]; else b *= s[d];
        return reshaped(v, new int[] {a, b});
    }

    private static Value reshape(Value v, long[] target, boolean allowZero) {
        int[] s = v.shape(), out = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) t = s[i];
            if (t == -1) {
                infer = i;
                continue;
            }
            out[i] = (int) t;
            known *= t;
        }
        if (infer >= 0) out[infer] = known == 0 ? 0 : (int) (v.tensor().numel() / known);
        if (Nd.numel(out) != v.tensor().numel()) throw new IllegalArgumentException("Reshape: " + Arrays.toString(s) + " to " + Arrays.toString(target));
        return reshaped(v, out);
    }

    private static Value transpose(Value v, Attributes at) {
        int r = v.shape().length;
        long[] def = new long[r];
        for (int i = 0; i < r; i++) def[i] = r - 1 - i;
        return wrap(Nd.transpose(nd(v), toInts(at.ints("perm", def))), v);
    }

    private static Value concat(Value[] in, int axis) {
        if (axis < 0) axis += in[0].shape().length;
        boolean floats = true;
        for (Value v : in) floats &= !v.isInteger() && v.tensor().dtype() == in[0].tensor().dtype();
        if (floats) {
            Tensor[] ts = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) ts[i] = in[i].tensor();
            return new Value(Tensor.concat(axis, ts), in[0].elemType());
        }
        Tensor[] ts = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) ts[i] = in[i].tensor().to(DType.FLOAT64);
        return new Value(Tensor.concat(axis, ts), in[0].elemType());
    }

    private static Value[] split(Value[] in, Attributes at, int outputs, int opset) {
        Value x = in[0];
        int axis = (int) at.integer("axis", 0);
        if (axis < 0) axis += x.shape().length;
        long[] sizes = opset >= 13 ? (in.length > 1 && in[1] != null ? in[1].longs() : null) : at.ints("split", null);
        int len = x.shape()[axis];
        if (sizes == null) {
            int parts = outputs, each = (len + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.min(each, len - (long) each * i);
        }
        Value[] out = new Value[sizes.length];
        int start = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new Value(x.tensor().slice(axis, start, start + (int) sizes[i]).contiguous(), x.elemType());
            start += (int) sizes[i];
        }
        return out;
    }

    private static Value slice(Value[] in, Attributes at, int opset) {
        Value x = in[0];
        int r = x.shape().length;
        long[] starts, ends, axes, steps;
        if (opset < 10) {
            starts = at.ints("starts", null);
            ends = at.ints("ends", null);
            axes = at.ints("axes", null);
            steps = null;
        } else {
            starts = in[1].longs();
            ends = in[2].longs();
            axes = in.length > 3 && in[3] != null ? in[3].longs() : null;
            steps = in.length > 4 && in[4] != null ? in[4].longs() : null;
        }
        int[] start = new int[r], step = new int[r], count = x.shape().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + r : axes[i]);
            int n = x.shape()[a];
            long st = steps == null ? 1 : steps[i];
            check(st != 0, "Slice step 0");
            long b = starts[i] < 0 ? starts[i] + n : starts[i], e = ends[i] < 0 ? ends[i] + n : ends[i];
            if (st > 0) {
                b = Math.max(0, Math.min(n, b));
                e = Math.max(0, Math.min(n, e));
            } else {
                b = Math.max(-1, Math.min(n - 1, b));
                e = Math.max(-1, Math.min(n - 1, e));
            }
            long c = st > 0 ? Math.max(0, (e - b + st - 1) / st) : Math.max(0, (b - e + (-st) - 1) / (-st));
            start[a] = (int) b;
            step[a] = (int) st;
            count[a] = (int) c;
        }
        return wrap(Nd.slice(nd(x), start, step, count), x);
    }

    private static long[] axesOf(Value[] in, Attributes at, int opset, int fromInput) {
        if (opset >= 13 && fromInput >= 0) return in.length > fromInput && in[fromInput] != null ? in[fromInput].longs() : null;
        return at.ints("axes", null);
    }

    private static Value squeeze(Value[] in, Attributes at, int opset) {
        int[] s = in[0].shape();
        long[] axes = axesOf(in, at, opset, 1);
        boolean[] drop = new boolean[s.length];
        if (axes == null) for (int d = 0; d < s.length; d++) drop[d] = s[d] == 1;
        else for (long a : axes) drop[(int) (a < 0 ? a + s.length : a)] = true;
        int[] out = java.util.stream.IntStream.range(0, s.length).filter(d -> !drop[d]).map(d -> s[d]).toArray();
        return reshaped(in[0], out);
    }

    private static Value unsqueeze(Value[] in, Attributes at, int opset) {
        int[] s = in[0].shape();
        long[] axes = axesOf(in, at, opset, 1);
        int r = s.length + axes.length;
        boolean[] added = new boolean[r];
        for (long a : axes) added[(int) (a < 0 ? a + r : a)] = true;
        int[] out = new int[r];
        for (int d = 0, k = 0; d < r; d++) out[d] = added[d] ? 1 : s[k++];
        return reshaped(in[0], out);
    }

    private static Value gather(Value x, Value idx, int axis) {
        if (axis < 0) axis += x.shape().length;
        return wrap(Nd.gather(nd(x), axis, idx.longs(), idx.shape()), x);
    }

    private static Value gatherElements(Value x, Value idx, int axis) {
        int[] s = x.shape(), is = idx.shape();
        if (axis < 0) axis += s.length;
        int[] st = Nd.strides(s), ist = Nd.strides(is);
        double[] v = x.tensor().toDoubleArray(), out = new double[Nd.numel(is)];
        long[] ix = idx.longs();
        for (int i = 0; i < out.length; i++) {
            int src = 0, rem = i;
            for (int d = 0; d < is.length; d++) {
                int p = rem / ist[d];
                rem %= ist[d];
                if (d == axis) {
                    long k = ix[i] < 0 ? ix[i] + s[axis] : ix[i];
                    if (k < 0 || k >= s[axis]) throw new IllegalArgumentException("GatherElements: index " + ix[i] + " outside axis of size " + s[axis]);
                    p = (int) k;
                }
                src += p * st[d];
            }
            out[i] = v[src];
        }
        return make(out, is, x.elemType());
    }

    private static Value pad(Value[] in, Attributes at, int opset) {
        String mode = at.string("mode", "constant");
        long[] pads = opset < 11 ? at.ints("pads", null) : in[1].longs();
        double value = opset < 11 ? at.real("value", 0) : in.length > 2 && in[2] != null ? in[2].tensor().item() : 0;
        check(opset < 18 || in.length < 4, "Pad with axes");
        return wrap(Nd.pad(nd(in[0]), pads, mode, value), in[0]);
    }

    private static Value trilu(Value[] in, Attributes at) {
        int[] s = in[0].shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        long k = in.length > 1 && in[1] != null ? (long) in[1].tensor().item() : 0;
        boolean upper = at.integer("upper", 1) == 1;
        double[] x = in[0].tensor().toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            int c = i % cols, r = (i / cols) % rows;
            boolean keep = upper ? c - r >= k : c - r <= k;
            if (!keep) x[i] = 0;
        }
        return make(x, s, in[0].elemType());
    }

    private static Value oneHot(Value[] in, int axis) {
        long[] idx = in[0].longs();
        int depth = (int) in[1].tensor().toDoubleArray()[0];
        double[] vals = in[2].tensor().toDoubleArray();
        int[] is = in[0].shape();
        int r = is.length + 1;
        if (axis < 0) axis += r;
        int[] shape = new int[r];
        for (int d = 0, k = 0; d < r; d++) shape[d] = d == axis ? depth : is[k++];
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < r; d++) inner *= shape[d];
        double[] out = new double[outer * depth * inner];
        Arrays.fill(out, vals[0]);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                long k = idx[o * inner + i];
                if (k < 0) k += depth;
                if (k >= 0 && k < depth) out[(int) ((o * depth + k) * inner + i)] = vals[1];
            }
        }
        return make(out, shape, in[2].elemType());
    }

    private static Value depthSpace(String op, Value x, int b, String mode) {
        int[] s = x.shape();
        int n = s[0], c = s[1], h = s[2], w = s[3];
        Nd.Array a = nd(x);
        if (op.equals("DepthToSpace")) {
            Nd.Array t = mode.equals("CRD")
                    ? Nd.transpose(new Nd.Array(a.data(), new int[] {n, c / (b * b), b, b, h, w}), new int[] {0, 1, 4, 2, 5, 3})
                    : Nd.transpose(new Nd.Array(a.data(), new int[] {n, b, b, c / (b * b), h, w}), new int[] {0, 3, 4, 1, 5, 2});
            return make(t.data(), new int[] {n, c / (b * b), h * b, w * b}, x.elemType());
        }
        Nd.Array t = Nd.transpose(new Nd.Array(a.data(), new int[] {n, c, h / b, b, w / b, b}), new int[] {0, 3, 5, 1, 2, 4});
        return make(t.data(), new int[] {n, c * b * b, h / b, w / b}, x.elemType());
    }

    private static Value constant(Attributes at, NodeProto n) {
        if (at.has("value")) return TensorProtos.read(at.raw("value").getT(), "Constant " + n.getName());
        if (at.has("value_float")) return Value.of(Tensor.of(new float[] {(float) at.real("value_float", 0)}));
        if (at.has("value_floats")) { float[] f = at.floats("value_floats"); return Value.of(Tensor.of(f, f.length)); }
        if (at.has("value_int")) return Value.ints(Tensor.of(new double[] {at.integer("value_int", 0)}));
        if (at.has("value_ints")) {
            long[] l = at.ints("value_ints", new long[0]);
            double[] d = new double[l.length];
            for (int i = 0; i < l.length; i++) d[i] = l[i];
            return Value.ints(Tensor.of(d, d.length));
        }
        throw new UnsupportedOperatorException("Constant without a numeric value (sparse or string)");
    }

    private static Value shape(Value x, Attributes at) {
        int[] s = x.shape();
        int r = s.length;
        int start = (int) at.integer("start", 0), end = (int) at.integer("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.max(0, Math.min(r, start));
        end = Math.max(start, Math.min(r, end));
        double[] d = new double[end - start];
        for (int i = start; i < end; i++) d[i - start] = s[i];
        return Value.ints(Tensor.of(d, d.length));
    }

    private static Value constantOfShape(Value shape, Attributes at, NodeProto n) {
        int[] s = toInts(shape.longs());
        if (!at.has("value")) return make(new double[Nd.numel(s)], s, DataType.FLOAT_VALUE);
        Value v = TensorProtos.read(at.raw("value").getT(), "ConstantOfShape " + n.getName());
        double[] d = new double[Nd.numel(s)];
        Arrays.fill(d, v.tensor().toDoubleArray()[0]);
        return make(d, s, v.elemType());
    }

    private static Value range(Value[] in) {
        double start = in[0].tensor().item(), limit = in[1].tensor().item(), delta = in[2].tensor().item();
        int n = (int) Math.max(0, Math.ceil((limit - start) / delta));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i * delta;
        return make(d, new int[] {n}, in[0].elemType());
    }
}
