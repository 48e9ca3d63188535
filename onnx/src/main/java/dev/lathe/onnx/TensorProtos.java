package dev.lathe.onnx;

import com.google.protobuf.ByteString;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import onnx.Onnx.TensorProto;

/**
 * ONNX TensorProto to and from Lathe tensors. Lathe computes in float32 and float64; integer and
 * boolean ONNX tensors (shapes, indices, masks) are held as float64 values, exact up to 2^53,
 * with their ONNX element type kept beside them in a {@link Value}.
 */
final class TensorProtos {
    private TensorProtos() {}

    static Value read(TensorProto t, String what) {
        int type = t.getDataType();
        int[] shape = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) throw new IllegalArgumentException(what + ": bad dimension " + d);
            shape[i] = (int) d;
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(what + ": more than 2^31 elements");
        if (t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new UnsupportedOperationException(what + ": external tensor data is not supported");
        }
        int count = (int) n;
        ByteString raw = t.getRawData();
        boolean hasRaw = !raw.isEmpty();
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                float[] v = new float[count];
                if (hasRaw) {
                    checkBytes(raw.size(), count, 4, what);
                    b.asFloatBuffer().get(v);
                } else {
                    checkCount(t.getFloatDataCount(), count, what);
                    for (int i = 0; i < count; i++) v[i] = t.getFloatData(i);
                }
                return new Value(Tensor.of(v, shape), type);
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                double[] v = new double[count];
                if (hasRaw) {
                    checkBytes(raw.size(), count, 8, what);
                    b.asDoubleBuffer().get(v);
                } else {
                    checkCount(t.getDoubleDataCount(), count, what);
                    for (int i = 0; i < count; i++) v[i] = t.getDoubleData(i);
                }
                return new Value(Tensor.of(v, shape), type);
            }
            case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE, TensorProto.DataType.INT8_VALUE,
                    TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.INT16_VALUE, TensorProto.DataType.UINT16_VALUE,
                    TensorProto.DataType.BOOL_VALUE -> {
                double[] v = new double[count];
                int width = elementBytes(type);
                if (hasRaw) {
                    checkBytes(raw.size(), count, width, what);
                    for (int i = 0; i < count; i++) {
                        v[i] = switch (type) {
                            case TensorProto.DataType.INT64_VALUE -> b.getLong(i * 8);
                            case TensorProto.DataType.INT32_VALUE -> b.getInt(i * 4);
                            case TensorProto.DataType.INT16_VALUE -> b.getShort(i * 2);
                            case TensorProto.DataType.UINT16_VALUE -> b.getShort(i * 2) & 0xffff;
                            case TensorProto.DataType.INT8_VALUE -> b.get(i);
                            default -> b.get(i) & 0xff;
                        };
                    }
                } else if (type == TensorProto.DataType.INT64_VALUE) {
                    checkCount(t.getInt64DataCount(), count, what);
                    for (int i = 0; i < count; i++) v[i] = t.getInt64Data(i);
                } else {
                    checkCount(t.getInt32DataCount(), count, what);
                    for (int i = 0; i < count; i++) v[i] = t.getInt32Data(i);
                }
                return new Value(Tensor.of(v, shape), type);
            }
            default -> throw new UnsupportedOperationException(what + ": element type " + TensorProto.DataType.forNumber(type) + " is not supported");
        }
    }

    static int elementBytes(int type) {
        return switch (type) {
            case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE -> 8;
            case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE -> 4;
            case TensorProto.DataType.INT16_VALUE, TensorProto.DataType.UINT16_VALUE -> 2;
            default -> 1;
        };
    }

    private static void checkBytes(int have, int count, int width, String what) {
        if (have != (long) count * width) throw new IllegalArgumentException(what + ": raw data has " + have + " bytes, shape needs " + (long) count * width);
    }

    private static void checkCount(int have, int count, String what) {
        if (have != count) throw new IllegalArgumentException(what + ": " + have + " values, shape needs " + count);
    }

    /** A float32 or float64 tensor as a TensorProto with raw little-endian data. */
    static TensorProto write(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name);
        for (int d : t.shape()) b.addDims(d);
        ByteBuffer buf;
        if (t.dtype() == DType.FLOAT64) {
            b.setDataType(TensorProto.DataType.DOUBLE_VALUE);
            buf = ByteBuffer.allocate(t.numel() * 8).order(ByteOrder.LITTLE_ENDIAN);
            buf.asDoubleBuffer().put(t.toDoubleArray());
        } else {
            b.setDataType(TensorProto.DataType.FLOAT_VALUE);
            buf = ByteBuffer.allocate(t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.toFloatArray());
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    /** An int64 tensor (shapes, axes) as a TensorProto. */
    static TensorProto int64(String name, long... values) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length);
        for (long v : values) b.addInt64Data(v);
        return b.build();
    }

    static String describe(int[] shape) { return Arrays.toString(shape); }
}
