package dev.lathe.models;

import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import java.util.Arrays;
import java.util.Map;

/**
 * The architecture description a checkpoint carries ({@code spec.*} metadata) turned back into a
 * model: the Fashion-MNIST MLP (hidden sizes, activation, init, dropout), the course CNNs, or a zoo
 * model with 10 classes at 1x28x28. Lives in the core so an embedded user can rebuild a trained model
 * from its checkpoint without the CLI.
 */
public final class ModelSpec {
    private ModelSpec() {}

    /** Builds the named model with fresh weights from the seed. */
    public static Module build(String model, int[] hidden, String activation, String init, double dropout, long seed) {
        return switch (model) {
            case "mlp" -> Mlp.of(28 * 28, hidden, 10, activation, init, dropout, seed);
            case "cnn" -> Cnn.fashion(seed);
            case "classic-cnn" -> Cnn.classic(seed);
            default -> {
                if (Zoo.has(model)) yield Zoo.build(model, 10, Cnn.FASHION_INPUT, seed);
                throw new IllegalArgumentException("unknown model '" + model + "' (available: mlp, cnn, classic-cnn, " + String.join(", ", Zoo.names()) + ")");
            }
        };
    }

    /** Builds the model a checkpoint's spec describes (keys model, hidden, activation, init, dropout, seed). */
    public static Module build(Map<String, String> spec, String source) {
        try {
            return build(get(spec, "model", source), Arrays.stream(get(spec, "hidden", source).split(",")).mapToInt(Integer::parseInt).toArray(),
                    get(spec, "activation", source), get(spec, "init", source), Double.parseDouble(get(spec, "dropout", source)),
                    Long.parseLong(get(spec, "seed", source)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting is not a number: " + e.getMessage(), e);
        }
    }

    /** The input shape a named model expects (batch unknown). */
    public static Shape inputShape(String model) {
        return model.equals("classic-cnn") ? Cnn.CLASSIC_INPUT : Cnn.FASHION_INPUT;
    }

    static String get(Map<String, String> spec, String key, String source) {
        String v = spec.get(key);
        if (v == null) throw new IllegalArgumentException(source + ": checkpoint lacks setting '" + key + "'");
        return v;
    }
}
