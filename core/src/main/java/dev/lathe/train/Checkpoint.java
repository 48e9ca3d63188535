package dev.lathe.train;

import dev.lathe.io.Safetensors;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A full training checkpoint in one safetensors file: the model's weights and buffers
 * ({@code model.NAME}), the optimizer's state ({@code optimizer.SLOT.INDEX}), and in the metadata
 * the epochs done, the optimizer's name and step count, and the architecture description — the
 * settings that rebuild the model ({@code spec.KEY}). Written atomically; read with every check of
 * {@link Safetensors#read}, then checked against the model and optimizer it is restored into.
 */
public record Checkpoint(Map<String, String> spec, int epoch, String optimizerName, long steps,
                         Map<String, Tensor> weights, Map<String, Tensor> optimizerState) {
    static final String FORMAT = "lathe-checkpoint-1";

    public static void save(Path file, Map<String, String> spec, Module model, Optimizer optimizer, int epoch) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
        optimizer.state().forEach((k, v) -> tensors.put("optimizer." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("optimizer", optimizer.name());
        meta.put("optimizer_steps", Long.toString(optimizer.steps()));
        spec.forEach((k, v) -> meta.put("spec." + k, v));
        Safetensors.write(file, tensors, meta);
    }

    public static Checkpoint load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + ": not a Lathe training checkpoint (format " + meta.get("format") + ", expected " + FORMAT
                    + "); a weights-only file loads with Module.loadStateDict");
        }
        Map<String, String> spec = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith("spec.")) spec.put(k.substring(5), v);
        });
        Map<String, Tensor> weights = new LinkedHashMap<>(), state = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith("model.")) weights.put(e.getKey().substring(6), e.getValue());
            else if (e.getKey().startsWith("optimizer.")) state.put(e.getKey().substring(10), e.getValue());
            else throw new IOException(file + ": unexpected tensor '" + e.getKey() + "' in a checkpoint");
        }
        try {
            return new Checkpoint(spec, Integer.parseInt(meta.getOrDefault("epoch", "")), meta.get("optimizer"),
                    Long.parseLong(meta.getOrDefault("optimizer_steps", "")), weights, state);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": checkpoint metadata epoch/optimizer_steps are not integers: " + meta);
        }
    }

    /** Loads weights into the model and state into the optimizer, which must be of the same kind as the one saved. */
    public void restore(Module model, Optimizer optimizer) {
        if (!optimizer.name().equals(optimizerName)) {
            throw new IllegalArgumentException("checkpoint was saved with optimizer " + optimizerName + ", resuming with " + optimizer.name());
        }
        model.loadStateDict(weights);
        optimizer.loadState(optimizerState, steps);
    }
}
