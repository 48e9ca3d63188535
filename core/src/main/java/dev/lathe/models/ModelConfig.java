package dev.lathe.models;

import dev.lathe.nn.Module;
import dev.lathe.nn.Recurrent;
import dev.lathe.tensor.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A checkpoint's architecture as one sealed type: what the {@code model} setting names and the
 * settings that model reads, written into and read from a checkpoint's spec in this one place (the
 * run's other settings — optimizer, learning rate, data — sit beside them and are the trainer's), and
 * built into a model with fresh weights. An embedded user rebuilds a trained model from its
 * checkpoint with {@code ModelConfig.read(spec, file).build(sample, outputs, seed)} and no CLI.
 */
public sealed interface ModelConfig {
    /** The {@code model} setting. */
    String name();

    /** This config's settings into a checkpoint's spec ({@code model} included). */
    void write(Map<String, String> spec);

    /** The model with fresh weights from the seed, for samples of {@code sample} shape and {@code outputs} outputs. */
    Module build(int[] sample, int outputs, long seed);

    /** The multilayer perceptron: hidden sizes, activation, initialization, dropout. */
    record Mlp(int[] hidden, String activation, String init, double dropout) implements ModelConfig {
        @Override public String name() { return "mlp"; }

        @Override public void write(Map<String, String> spec) {
            spec.put("model", name());
            spec.put("hidden", Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            spec.put("activation", activation);
            spec.put("init", init);
            spec.put("dropout", Double.toString(dropout));
        }

        @Override public Module build(int[] sample, int outputs, long seed) {
            return dev.lathe.models.Mlp.of(Arrays.stream(sample).reduce(1, (a, b) -> a * b), hidden, outputs, activation, init, dropout, seed);
        }
    }

    /** The course's CNN (conv32-pool-conv64-pool-128), at the data's image shape. */
    record Cnn() implements ModelConfig {
        @Override public String name() { return "cnn"; }

        @Override public void write(Map<String, String> spec) { spec.put("model", name()); }

        @Override public Module build(int[] sample, int outputs, long seed) {
            requireImage(name(), sample);
            return dev.lathe.models.Cnn.fashion(sample[0], sample[1], sample[2], outputs, seed);
        }
    }

    /** The course slide's fixed 3x32x32, 10-class network. */
    record ClassicCnn() implements ModelConfig {
        @Override public String name() { return "classic-cnn"; }

        @Override public void write(Map<String, String> spec) { spec.put("model", name()); }

        @Override public Module build(int[] sample, int outputs, long seed) {
            if (!Arrays.equals(sample, new int[] {3, 32, 32}) || outputs != 10) {
                throw new IllegalArgumentException("classic-cnn is the course slide's fixed 3x32x32, 10-class network; the data has "
                        + describe(sample) + " and " + outputs + " outputs (use cnn or a zoo model)");
            }
            return dev.lathe.models.Cnn.classic(seed);
        }
    }

    /** A named zoo model at the data's image shape and class count. */
    record ZooModel(String name) implements ModelConfig {
        public ZooModel {
            if (!Zoo.has(name)) throw new IllegalArgumentException("unknown model '" + name + "' (available: mlp, cnn, classic-cnn, char-lstm, char-gru, char-rnn, " + String.join(", ", Zoo.names()) + ")");
        }

        @Override public void write(Map<String, String> spec) { spec.put("model", name); }

        @Override public Module build(int[] sample, int outputs, long seed) {
            requireImage(name, sample);
            return Zoo.build(name, outputs, Shape.batchOf(sample), seed);
        }
    }

    /** The character-level language model: vocabulary, embedding width, recurrent kind, width and depth. */
    record Char(Recurrent.Kind kind, char[] vocab, int embed, int hidden, int layers, double dropout) implements ModelConfig {
        @Override public String name() { return "char-" + kind.name().toLowerCase(Locale.ROOT); }

        @Override public void write(Map<String, String> spec) {
            spec.put("model", name());
            spec.put("vocab", new String(vocab));
            spec.put("embed", Integer.toString(embed));
            spec.put("hidden", Integer.toString(hidden));
            spec.put("layers", Integer.toString(layers));
            spec.put("dropout", Double.toString(dropout));
        }

        /** The sample shape and outputs come from the vocabulary: they are ignored. */
        @Override public Module build(int[] sample, int outputs, long seed) { return new CharModel(vocab, kind, embed, hidden, layers, dropout, seed); }
    }

    /** An ONNX graph fine-tuned in Lathe: the file (checked by its hash) and the replaced head's node. */
    record FineTuned(String from, String sha256, String head) implements ModelConfig {
        @Override public String name() { return "onnx"; }

        @Override public void write(Map<String, String> spec) {
            spec.put("model", name());
            spec.put("from", from);
            spec.put("from_sha256", sha256);
            spec.put("from_head", head);
        }

        @Override public Module build(int[] sample, int outputs, long seed) {
            throw new IllegalArgumentException("model fine-tuned from an ONNX file (settings 'from', 'from_sha256'): the core cannot rebuild it;"
                    + " lathe-onnx's FineTune.load(file, outputs, seed) does, then loadStateDict (the CLI's lathe run and export do this)");
        }
    }

    /** The config a model name and the MLP's settings describe (what the CLI's options give for an image or table model). */
    static ModelConfig named(String model, int[] hidden, String activation, String init, double dropout) {
        return switch (model) {
            case "mlp" -> new Mlp(hidden.clone(), activation, init, dropout);
            case "cnn" -> new Cnn();
            case "classic-cnn" -> new ClassicCnn();
            case "onnx" -> throw new IllegalArgumentException("model 'onnx' is an ONNX graph fine-tuned in Lathe: it is described by its file (FineTuned), not by these settings");
            default -> {
                if (model.startsWith("char-")) throw new IllegalArgumentException("model '" + model + "' is a character model: it is described by its vocabulary and sizes (Char)");
                yield new ZooModel(model);
            }
        };
    }

    /** The config a checkpoint's spec holds; a missing or malformed setting is an error naming it and the source. */
    static ModelConfig read(Map<String, String> spec, String source) {
        String model = get(spec, "model", source);
        try {
            return switch (model) {
                case "mlp" -> new Mlp(Arrays.stream(get(spec, "hidden", source).split(",")).mapToInt(Integer::parseInt).toArray(), get(spec, "activation", source),
                        get(spec, "init", source), Double.parseDouble(get(spec, "dropout", source)));
                case "cnn" -> new Cnn();
                case "classic-cnn" -> new ClassicCnn();
                case "onnx" -> new FineTuned(get(spec, "from", source), get(spec, "from_sha256", source), get(spec, "from_head", source));
                case "char-lstm", "char-gru", "char-rnn" -> new Char(Recurrent.Kind.valueOf(model.substring(5).toUpperCase(Locale.ROOT)), get(spec, "vocab", source).toCharArray(),
                        Integer.parseInt(get(spec, "embed", source)), Integer.parseInt(get(spec, "hidden", source)), Integer.parseInt(get(spec, "layers", source)),
                        Double.parseDouble(get(spec, "dropout", source)));
                default -> new ZooModel(model);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting is not a number: " + e.getMessage(), e);
        }
    }

    private static String get(Map<String, String> spec, String key, String source) {
        String v = spec.get(key);
        if (v == null) throw new IllegalArgumentException(source + ": checkpoint lacks setting '" + key + "'");
        return v;
    }

    private static void requireImage(String model, int[] sample) {
        if (sample.length != 3) {
            throw new IllegalArgumentException("model '" + model + "' takes images (channels x height x width); the data has " + describe(sample) + " (use --model mlp)");
        }
    }

    private static String describe(int[] sample) {
        return sample.length == 1 ? sample[0] + " features per sample" : "samples of shape " + Arrays.toString(sample);
    }
}
