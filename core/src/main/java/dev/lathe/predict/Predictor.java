package dev.lathe.predict;

import dev.lathe.data.Preprocessing;
import dev.lathe.models.ModelSpec;
import dev.lathe.nn.Module;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Shape;
import dev.lathe.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The embedding API: a trained model frozen into an {@link InferencePlan} and run by one
 * {@link Session}. {@code Predictor.load(checkpoint).predict(pixels)} gives the model's outputs
 * (logits for the course classifiers) for one sample. A checkpoint written by {@code lathe train
 * --save} also carries the standardization the model was trained behind (input mean and std); it is
 * applied to the raw input here, so callers pass pixels as the dataset stores them (0..255 scaled to
 * 0..1 as {@code FashionMnist} loads them).
 *
 * <p>NaN or infinite inputs are not checked: they propagate through the arithmetic to the outputs
 * (as in ONNX Runtime; through a dense layer one NaN reaches every output), so a caller that must
 * reject them checks {@code Float.isFinite} first. The next finite input gives the same bits as before
 * (nothing is left behind in the arena; NonFiniteInputTest, at every vector width).
 * Not thread-safe: one predictor per thread (each owns its arena), several may share a plan.
 *
 * <p>It lives in a package of its own, above {@code runtime}, {@code train} and {@code models}: reading a
 * checkpoint and rebuilding its model are training-side concerns, and the runtime (plan, session) must not
 * depend on them (docs/ARCHITECTURE.md, Packages; ArchitectureTest).
 */
public final class Predictor {
    private final Session session;
    private final double mean, std;
    private final Preprocessing preprocessing;
    /** The input after standardization or encoding, when there is any (else null: raw input goes to the session). */
    private final float[] prepared;

    private Predictor(Session session, double mean, double std, Preprocessing preprocessing) {
        this.session = session;
        this.preprocessing = preprocessing;
        this.mean = mean;
        this.std = std;
        this.prepared = std > 0 || preprocessing != null ? new float[session.inputSize()] : null;
    }

    /** A predictor for a model in memory, input shape with or without the batch dimension given as [N, ...]. */
    public static Predictor of(Module model, Shape input, int threads) {
        return new Predictor(InferencePlan.freeze(model, input).session(threads), 0, 0, null);
    }

    /** A predictor running an existing plan (e.g. one converted from ONNX). */
    public static Predictor of(InferencePlan plan, int threads) { return new Predictor(plan.session(threads), 0, 0, null); }

    /** Loads a Lathe training checkpoint ({@code lathe train --save}): rebuilds the model from its spec, fills its weights, freezes it. */
    public static Predictor load(Path checkpoint, int threads) throws IOException {
        if (!Files.isRegularFile(checkpoint)) throw new NoSuchFileException(checkpoint.toString(), null, "no such model file");
        return of(Checkpoint.load(checkpoint), checkpoint.toString(), threads);
    }

    /** As {@link #load} for a checkpoint already read; {@code source} (its file) names errors. */
    public static Predictor of(Checkpoint c, String source, int threads) throws IOException {
        Module m = ModelSpec.build(c.spec(), source);
        try {
            m.loadStateDict(c.weights());
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": weights do not fit the model its settings describe: " + e.getMessage(), e);
        }
        Preprocessing prep = c.spec().containsKey(Preprocessing.SPEC_KEY) ? Preprocessing.read(c.spec().get(Preprocessing.SPEC_KEY), source) : null;
        Shape input = ModelSpec.inputShape(c.spec(), source);
        if (prep != null) return of(m, input, threads, prep);
        double mean = 0, std = 0;
        if (c.spec().containsKey("input_std")) {
            try {
                mean = Double.parseDouble(c.spec().get("input_mean"));
                std = Double.parseDouble(c.spec().get("input_std"));
            } catch (NumberFormatException | NullPointerException e) {
                throw new IOException(source + ": input_mean/input_std settings are not numbers", e);
            }
            if (!(std > 0)) throw new IOException(source + ": input_std must be > 0, got " + std);
        }
        return new Predictor(InferencePlan.freeze(m, input).session(threads), mean, std, null);
    }

    public static Predictor load(Path checkpoint) throws IOException { return load(checkpoint, 0); }

    /**
     * A predictor for a trained model in memory that applies a training run's preprocessing (a model
     * the core cannot rebuild from its checkpoint alone, e.g. one fine-tuned from an ONNX file).
     */
    public static Predictor of(Module model, Shape input, int threads, Preprocessing preprocessing) {
        Session session = InferencePlan.freeze(model, input).session(threads);
        // images standardize with one mean and std, as Fashion-MNIST checkpoints do; arrays and tables through their record
        return preprocessing instanceof Preprocessing.Images im ? new Predictor(session, im.mean(), im.std(), im) : new Predictor(session, 0, 0, preprocessing);
    }

    /**
     * How raw records become this model's input, for a model trained with {@code lathe train --data}
     * (a table, images, arrays); null for a model without one (Fashion-MNIST, ONNX, in memory).
     */
    public Preprocessing preprocessing() { return preprocessing; }

    /**
     * The outputs for one table row given as raw cells ({@code cells.get(at[c])} is model column c,
     * {@link Preprocessing.Table#locate}): each column standardized or one-hot as in training.
     * {@code where} names the row in errors (e.g. "data.csv line 12"). Returns the number of
     * categorical values the training data did not have (encoded as all zeros).
     */
    public int predictRow(java.util.List<String> cells, int[] at, float[] out, String where) {
        if (!(preprocessing instanceof Preprocessing.Table t)) throw new IllegalStateException("predictRow: this model was not trained on a table");
        int unseen = t.encode(cells, at, prepared, where);
        session.predict(prepared, out);
        return unseen;
    }

    /** Values one sample holds (e.g. 784 for a 1x28x28 image). */
    public int inputSize() { return session.inputSize(); }

    public int outputSize() { return session.outputSize(); }

    public InferencePlan plan() { return session.plan(); }

    public Session session() { return session; }

    /** Compiles the kernels before the first real call: {@link Session#warmUp}. */
    public Session.WarmUp warmUp(java.time.Duration budget) { return session.warmUp(budget); }

    /** The model's outputs for one sample, written to {@code out}; allocates nothing. */
    public void predict(float[] in, float[] out) {
        if (in == null) throw new IllegalArgumentException("predict: input is null");
        // a table model's predict takes its encoded row as it is (predictRow encodes raw cells)
        boolean arrays = preprocessing instanceof Preprocessing.Arrays;
        if (!arrays && !(std > 0)) {
            session.predict(in, out);
            return;
        }
        if (in.length != prepared.length) session.predict(in, out);  // the session names the size mismatch
        if (arrays) {
            ((Preprocessing.Arrays) preprocessing).standardize(in, prepared);
        } else {
            float m = (float) mean, inv = (float) (1 / std);
            for (int i = 0; i < in.length; i++) prepared[i] = (in[i] - m) * inv;
        }
        session.predict(prepared, out);
    }

    public float[] predict(float[] in) {
        float[] out = new float[outputSize()];
        predict(in, out);
        return out;
    }

    /** The index of the largest output (the predicted class of a classifier); NaN outputs never win. */
    public int predictClass(float[] in) {
        float[] y = predict(in);
        int best = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[best] || Float.isNaN(y[best])) best = i;
        return best;
    }
}
