package dev.lathe.models;

import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The architecture description a checkpoint carries ({@code spec.*} metadata, read by
 * {@link ModelConfig}) turned back into a model: the MLP (hidden sizes, activation, init, dropout), the course CNNs, or a zoo model, at the
 * input shape and output count the training data had ({@code input}, {@code outputs}; a checkpoint
 * without them is a Fashion-MNIST model: 1x28x28, 10 classes). Lives in the core so an embedded user
 * can rebuild a trained model from its checkpoint without the CLI.
 */
public final class ModelSpec {
    private ModelSpec() {}

    /** Fashion-MNIST's sample shape, the input of checkpoints that do not name one. */
    public static final int[] FASHION_SAMPLE = {1, 28, 28};

    /** Builds the named model for Fashion-MNIST (1x28x28, 10 classes) with fresh weights from the seed. */
    public static Module build(String model, int[] hidden, String activation, String init, double dropout, long seed) {
        return build(model, hidden, activation, init, dropout, seed, model.equals("classic-cnn") ? new int[] {3, 32, 32} : FASHION_SAMPLE, 10);
    }

    /**
     * Builds the named model for samples of {@code sample} shape ([features] or [channels, height,
     * width]) and {@code outputs} outputs (classes, or 1 for regression), fresh weights from the seed.
     */
    public static Module build(String model, int[] hidden, String activation, String init, double dropout, long seed, int[] sample, int outputs) {
        return ModelConfig.named(model, hidden, activation, init, dropout).build(sample, outputs, seed);
    }

    /** Builds the model a checkpoint's spec describes ({@link ModelConfig#read}; seed, and input and outputs if present). */
    public static Module build(Map<String, String> spec, String source) {
        try {
            return ModelConfig.read(spec, source).build(sample(spec, source), outputs(spec, source), Long.parseLong(get(spec, "seed", source)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting is not a number: " + e.getMessage(), e);
        }
    }

    /** The sample shape a checkpoint's model takes: its {@code input} setting, else the named model's Fashion default. */
    public static int[] sample(Map<String, String> spec, String source) {
        String in = spec.get("input");
        if (in == null) return get(spec, "model", source).equals("classic-cnn") ? new int[] {3, 32, 32} : FASHION_SAMPLE.clone();
        try {
            int[] s = Arrays.stream(in.split(",")).mapToInt(t -> Integer.parseInt(t.trim())).toArray();
            for (int d : s) if (d < 1) throw new NumberFormatException();
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting input='" + in + "' is not a list of positive sizes", e);
        }
    }

    /** The outputs a checkpoint's model has: its {@code outputs} setting, else 10 (Fashion-MNIST's classes). */
    public static int outputs(Map<String, String> spec, String source) {
        String o = spec.get("outputs");
        if (o == null) return 10;
        try {
            int n = Integer.parseInt(o);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting outputs='" + o + "' is not a positive integer", e);
        }
    }

    /** The {@code input} setting's text for a sample shape. */
    public static String sampleText(int[] sample) { return Arrays.stream(sample).mapToObj(Integer::toString).collect(Collectors.joining(",")); }

    /** The input shape a named Fashion-MNIST model expects (batch unknown). */
    public static Shape inputShape(String model) {
        return model.equals("classic-cnn") ? Cnn.CLASSIC_INPUT : Cnn.FASHION_INPUT;
    }

    /** The input shape a checkpoint's model expects (batch unknown). */
    public static Shape inputShape(Map<String, String> spec, String source) { return Shape.batchOf(sample(spec, source)); }

    static String get(Map<String, String> spec, String key, String source) {
        String v = spec.get(key);
        if (v == null) throw new IllegalArgumentException(source + ": checkpoint lacks setting '" + key + "'");
        return v;
    }
}
