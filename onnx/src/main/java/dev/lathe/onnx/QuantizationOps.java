package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.check;
import static dev.lathe.onnx.Operators.make;
import static dev.lathe.onnx.Operators.one;

import onnx.Onnx.TensorProto.DataType;

/** ONNX QuantizeLinear and DequantizeLinear, per tensor or per axis, to and from int8 and uint8. */
final class QuantizationOps {
    private QuantizationOps() {}

    static void register(Operators.Table t) {
        t.add("QuantizeLinear", (n, in, at, opset) -> one(quantize(in, at)));
        t.add("DequantizeLinear", (n, in, at, opset) -> one(dequantize(in, at)));
    }

    /** Scale and zero point broadcast along {@code axis} (per-axis) or as scalars (per-tensor). */
    private static double[][] qparams(Value[] in, Attributes at, int[] xShape) {
        int r = xShape.length;
        int axis = (int) at.integer("axis", 1);
        if (axis < 0) axis += r;
        double[] scale = in[1].tensor().toDoubleArray();
        double[] zp = in.length > 2 && in[2] != null ? in[2].tensor().toDoubleArray() : new double[scale.length];
        int n = Nd.numel(xShape);
        double[] s = new double[n], z = new double[n];
        int inner = 1;
        for (int d = axis + 1; d < r; d++) inner *= xShape[d];
        for (int i = 0; i < n; i++) {
            int c = scale.length == 1 ? 0 : (i / inner) % xShape[axis];
            s[i] = scale[c];
            z[i] = zp[c];
        }
        return new double[][] {s, z};
    }

    private static Value quantize(Value[] in, Attributes at) {
        int type = in.length > 2 && in[2] != null ? in[2].elemType() : DataType.UINT8_VALUE;
        double lo = type == DataType.INT8_VALUE ? -128 : 0, hi = type == DataType.INT8_VALUE ? 127 : 255;
        check(type == DataType.INT8_VALUE || type == DataType.UINT8_VALUE, "QuantizeLinear to " + DataType.forNumber(type));
        double[][] q = qparams(in, at, in[0].shape());
        double[] x = in[0].tensor().toDoubleArray();
        // float32 inputs divide in float32, as the spec's reference does: a quotient near .5 rounds by its float value
        boolean single = in[0].elemType() == DataType.FLOAT_VALUE;
        for (int i = 0; i < x.length; i++) {
            double scaled = single ? (float) x[i] / (float) q[0][i] : x[i] / q[0][i];
            x[i] = Math.max(lo, Math.min(hi, Math.rint(scaled) + q[1][i]));
        }
        return make(x, in[0].shape(), type);
    }

    private static Value dequantize(Value[] in, Attributes at) {
        double[][] q = qparams(in, at, in[0].shape());
        double[] x = in[0].tensor().toDoubleArray();
        for (int i = 0; i < x.length; i++) x[i] = (x[i] - q[1][i]) * q[0][i];
        return make(x, in[0].shape(), in[1].elemType());
    }
}
