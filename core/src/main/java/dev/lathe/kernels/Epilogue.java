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
        for (int i = 0; i < rows; i++) {
            int row = co + (r0 + i) * ldc + c0;
            float rb = bias != null && perRow ? bias[biasOffset + r0 + i] : 0f;
            int j = 0;
            if (!Kernels.SCALAR && rows > 1) {
                // a single row (a dense layer at batch 1) is called once per prediction: its vector loop stayed
                // in C1 code long after warm-up (not intrinsified: 24 KB allocated a call at 1000 wide), while the
                // scalar loop costs about a microsecond
                j = bias != null && !perRow ? columnBias(c, row, cols, bias, biasOffset + c0, activation) : rowBias(c, row, cols, rb, activation);
            }
            for (; j < cols; j++) {
                float v = c[row + j] + (bias == null ? 0f : perRow ? rb : bias[biasOffset + c0 + j]);
                if (activation == RELU) v = Math.max(v, 0f);
                else if (activation == RELU6) v = Math.min(Math.max(v, 0f), 6f);
                c[row + j] = v;
            }
        }
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> S = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

    /** c[row + j] = act(c[row + j] + b) over whole vectors; returns where the scalar tail starts. */
    private static int rowBias(float[] c, int row, int cols, float b, int activation) {
        jdk.incubator.vector.FloatVector bv = jdk.incubator.vector.FloatVector.broadcast(S, b);
        int j = 0;
        for (int bound = S.loopBound(cols); j < bound; j += S.length()) activate(jdk.incubator.vector.FloatVector.fromArray(S, c, row + j).add(bv), activation).intoArray(c, row + j);
        return j;
    }

    /** c[row + j] = act(c[row + j] + bias[at + j]) over whole vectors. */
    private static int columnBias(float[] c, int row, int cols, float[] bias, int at, int activation) {
        int j = 0;
        for (int bound = S.loopBound(cols); j < bound; j += S.length()) {
            activate(jdk.incubator.vector.FloatVector.fromArray(S, c, row + j).add(jdk.incubator.vector.FloatVector.fromArray(S, bias, at + j)), activation).intoArray(c, row + j);
        }
        return j;
    }

    /** The activation as a clamp to [lo, hi] (infinite bounds for none), in compare-and-blend form, the same instructions on every path: no vector phi. */
    private static jdk.incubator.vector.FloatVector activate(jdk.incubator.vector.FloatVector v, int activation) {
        jdk.incubator.vector.FloatVector l = jdk.incubator.vector.FloatVector.broadcast(S, activation == NONE ? Float.NEGATIVE_INFINITY : 0f);
        jdk.incubator.vector.FloatVector h = jdk.incubator.vector.FloatVector.broadcast(S, activation == RELU6 ? 6f : Float.POSITIVE_INFINITY);
        return v.blend(l, v.lt(l)).blend(h, h.lt(v));
    }
}
