package dev.lathe.kernels;

/**
 * What a GEMM does to C after the product: add a bias (one value per row or per column of C) and
 * apply an activation. {@link Gemm} runs it on each part of C right after that part is computed,
 * while it is still in cache, instead of as separate passes over the whole output.
 */
public record Epilogue(float[] bias, int biasOffset, boolean perRow, int activation) {
    public static final int NONE = 0, RELU = 1, RELU6 = 2;
    public static final Epilogue IDENTITY = new Epilogue(null, 0, false, NONE);
    private static final Epilogue RELU_ONLY = new Epilogue(null, 0, true, RELU), RELU6_ONLY = new Epilogue(null, 0, true, RELU6);

    /** The activation alone, no bias (shared instances: kernels ask for it per call). */
    public static Epilogue activation(int activation) {
        return switch (activation) {
            case NONE -> IDENTITY;
            case RELU -> RELU_ONLY;
            case RELU6 -> RELU6_ONLY;
            default -> throw new IllegalArgumentException("epilogue: unknown activation " + activation);
        };
    }

    public Epilogue {
        if (activation < NONE || activation > RELU6) throw new IllegalArgumentException("epilogue: unknown activation " + activation);
    }

    /** Bias per column of C (a dense layer: C[batch, out] + b[out]), then the activation. */
    public static Epilogue columnBias(float[] bias, int activation) { return new Epilogue(bias, 0, false, activation); }

    /**
     * Bias per row of C (a convolution: C[out channels, pixels] + b[out]), then the activation; row
     * i of C takes bias[offset + i] (a group's slice of a grouped convolution's bias, without a copy).
     */
    public static Epilogue rowBias(float[] bias, int offset, int activation) { return new Epilogue(bias, offset, true, activation); }

    /** Applies to C[r0 : r0+rows, c0 : c0+cols] (row-major with ldc); the bias index is the absolute row or column plus the offset. */
    void apply(float[] c, int co, int ldc, int r0, int rows, int c0, int cols) {
        if (this == IDENTITY || (bias == null && activation == NONE)) return;
        // one pass over C after the GEMM: vectorized (the scalar loop was a fifth of MobileNetV2's batch-1 time)
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        int lanes = sp.length();
        jdk.incubator.vector.FloatVector zero = jdk.incubator.vector.FloatVector.zero(sp), six = jdk.incubator.vector.FloatVector.broadcast(sp, 6f);
        for (int i = 0; i < rows; i++) {
            int row = co + (r0 + i) * ldc + c0;
            float rb = bias != null && perRow ? bias[biasOffset + r0 + i] : 0f;
            int j = 0;
            if (!Kernels.SCALAR) {
                jdk.incubator.vector.FloatVector rbv = jdk.incubator.vector.FloatVector.broadcast(sp, rb);
                for (int bound = sp.loopBound(cols); j < bound; j += lanes) {
                    jdk.incubator.vector.FloatVector v = jdk.incubator.vector.FloatVector.fromArray(sp, c, row + j);
                    if (bias != null) v = v.add(perRow ? rbv : jdk.incubator.vector.FloatVector.fromArray(sp, bias, biasOffset + c0 + j));
                    if (activation == RELU) v = v.max(zero);
                    else if (activation == RELU6) v = v.max(zero).min(six);
                    v.intoArray(c, row + j);
                }
            }
            for (; j < cols; j++) {
                float v = c[row + j] + (bias == null ? 0f : perRow ? rb : bias[biasOffset + c0 + j]);
                if (activation == RELU) v = Math.max(v, 0f);
                else if (activation == RELU6) v = Math.min(Math.max(v, 0f), 6f);
                c[row + j] = v;
            }
        }
    }
}
