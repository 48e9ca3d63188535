package dev.lathe.onnx;

import dev.lathe.tensor.Tensor;
import onnx.Onnx.TensorProto;

/** A value flowing through an ONNX graph: the numbers (float32, or float64 for doubles and integers) and the ONNX element type. */
public record Value(Tensor tensor, int elemType) {
    public static Value of(Tensor t) { return new Value(t, t.dtype() == dev.lathe.tensor.DType.FLOAT64 ? TensorProto.DataType.DOUBLE_VALUE : TensorProto.DataType.FLOAT_VALUE); }

    public static Value ints(Tensor t) { return new Value(t.to(dev.lathe.tensor.DType.FLOAT64), TensorProto.DataType.INT64_VALUE); }

    public static Value bools(Tensor t) { return new Value(t.to(dev.lathe.tensor.DType.FLOAT64), TensorProto.DataType.BOOL_VALUE); }

    public boolean isInteger() {
        return elemType != TensorProto.DataType.FLOAT_VALUE && elemType != TensorProto.DataType.DOUBLE_VALUE;
    }

    public int[] shape() { return tensor.shape(); }

    /** The values as longs (shapes, axes, indices). */
    public long[] longs() {
        double[] d = tensor.toDoubleArray();
        long[] l = new long[d.length];
        for (int i = 0; i < d.length; i++) l[i] = (long) d[i];
        return l;
    }
}
