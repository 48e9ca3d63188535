package dev.lathe.runtime;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.runtime.QuantizedPlan.QParams;
import java.util.List;

/**
 * One step of an int8 plan, a record per kind holding only what that kind needs (the int8 session,
 * C export and QDQ export each switch over it without a default). Every step reads {@code input}
 * quantized with {@code in} and writes its value quantized with {@link #out}.
 */
public sealed interface QStep {
    String name();

    String input();

    QParams in();

    /** The output's quantization. */
    QParams out();

    /** Every value the step reads. */
    default List<String> inputs() { return List.of(input()); }

    /** A flatten: the same bytes under a new shape (no buffer of its own). */
    record View(String name, String input, QParams in) implements QStep {
        @Override public QParams out() { return in; }
    }

    /** ReLU or ReLU6 as a clamp to [lo, hi] on the input's scale. */
    record Clamp(String name, String input, QParams in, int lo, int hi) implements QStep {
        @Override public QParams out() { return in; }
    }

    /** Max pooling on the input's scale (a max commutes with the monotone quantization). */
    record MaxPool(String name, String input, QParams in, ConvGeometry geometry) implements QStep {
        @Override public QParams out() { return in; }
    }

    /** Global average pooling: the integer sum of a plane requantized by m0 / 2^shift (the 1/hw folded in). */
    record GlobalAverage(String name, String input, QParams in, QParams out, ConvGeometry geometry, int m0, int shift) implements QStep {}

    /** A two-input add: each input's scale ratio to the output an integer multiplier over 2^shift. */
    record Add(String name, String input, QParams in, String input2, QParams in2, QParams out, int m0a, int m0b, int shift) implements QStep {
        @Override public List<String> inputs() { return List.of(input, input2); }
    }

    /**
     * The int8 parameters of a conv or dense layer: weights symmetric per output channel (scale
     * {@code weightScale[o]}), int32 bias at s_in * s_w, a fixed-point multiplier and shift per
     * channel, the output clamp [lo, hi] (a fused ReLU/ReLU6) and which epilogue it came from.
     */
    record Weights(byte[] q, float[] scale, int[] bias, int[] m0, int[] shift, int lo, int hi, int activation) {
        public int outputs() { return scale.length; }

        /** Weight storage: int8 weights, int32 biases, per channel an int32 multiplier, an int8 shift and a float scale. */
        long int8Bytes() { return q.length + 4L * bias.length + (4L + 1 + 4) * m0.length; }

        long floatBytes() { return 4L * (q.length + bias.length); }
    }

    /** A dense layer on [1, features]. */
    record Linear(String name, String input, QParams in, QParams out, Weights weights, int inFeatures) implements QStep {}

    /** A dense or depthwise convolution; {@code pool} a max pool run on its accumulators (null when none). */
    record Conv(String name, String input, QParams in, QParams out, Weights weights, ConvGeometry geometry, ConvGeometry pool) implements QStep {
        Conv pooled(String newName, ConvGeometry p) { return new Conv(newName, input, in, out, weights, geometry, p); }
    }

    /** A short word for the kind, for tables and profiles. */
    static String kind(QStep s) {
        return switch (s) {
            case View v -> "view";
            case Clamp c -> "relu";
            case MaxPool p -> "maxpool";
            case GlobalAverage g -> "avgpool";
            case Add a -> "add";
            case Linear l -> "linear";
            case Conv c -> "conv";
        };
    }
}
