package dev.lathe.cli;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.Augmented;
import dev.lathe.data.DataLoader;
import dev.lathe.data.Dataset;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.kernels.Parallel;
import dev.lathe.models.Cnn;
import dev.lathe.train.Checkpoint;
import dev.lathe.train.EpochResult;
import dev.lathe.tensor.Shape;
import dev.lathe.nn.Module;
import dev.lathe.optim.LrSchedule;
import dev.lathe.optim.Optimizer;
import dev.lathe.train.EarlyStopping;
import dev.lathe.train.Evaluation;
import dev.lathe.train.History;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import dev.lathe.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;

/** Builds model, data and trainer from {@link TrainOptions} and runs Fashion-MNIST training. */
final class FashionRun {
    private FashionRun() {}

    record Outcome(Module model, History history, Evaluation test, double trainSeconds) {}

    static Module model(TrainOptions o) {
        return dev.lathe.models.ModelSpec.build(o.model, o.hidden, o.activation, o.init, o.dropout, o.seed);
    }

    /** The input shape a named model expects (batch unknown). */
    static Shape inputShape(String model) { return dev.lathe.models.ModelSpec.inputShape(model); }

    /** A trained checkpoint with the settings it was trained under, its model filled, and its data (standardized as in training). */
    record Trained(TrainOptions options, Module model, Checkpoint checkpoint, Split data) {}

    /** Loads a checkpoint for the commands that work on a trained model (prune, quantize): settings, model, weights, data. */
    static Trained fromCheckpoint(java.nio.file.Path file, java.nio.file.Path dataDir, int threads) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        Checkpoint c = Checkpoint.load(file);
        if (CharRun.isCharModel(c.spec().getOrDefault("model", ""))) {
            throw new IllegalArgumentException(file + ": holds a " + c.spec().get("model") + " model; prune and quantize take Fashion-MNIST models"
                    + " (an int8 char model for a microcontroller: lathe export " + file + " --format c --int8)");
        }
        TrainOptions o = new TrainOptions();
        o.applySpec(c.spec(), file.toString());
        o.data = dataDir;
        o.threads = threads;
        applyThreads(o);
        Module m = model(o);
        m.loadStateDict(c.weights());
        return new Trained(o, m, c, data(o));
    }

    static Split data(TrainOptions o) throws IOException {
        Split s = FashionMnist.load(o.data);
        if (o.limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + o.limit);
        ArrayDataset train = o.limit > 0 ? s.first().head(o.limit) : s.first();
        // standardize with the training set's statistics (applied unchanged to the test set)
        if (o.noNormalize) return new Split(train, s.second());
        double[] ms = train.meanStd();
        o.inputMean = ms[0];
        o.inputStd = ms[1];
        return new Split(train.normalized(ms[0], ms[1]), s.second().normalized(ms[0], ms[1]));
    }

    static void applyThreads(TrainOptions o) {
        if (o.threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + o.threads);
        if (o.threads > 0) Parallel.setThreads(o.threads);
    }

    static Outcome train(TrainOptions o, PrintWriter out, boolean progress) throws IOException {
        applyThreads(o);
        Checkpoint resume = o.resume == null ? null : Checkpoint.load(o.resume);
        if (resume != null) o.applySpec(resume.spec(), o.resume.toString());
        Module model = model(o);
        if (!inputShape(o.model).equals(Cnn.FASHION_INPUT)) {
            throw new IllegalArgumentException("model '" + o.model + "' takes " + inputShape(o.model) + " images; Fashion-MNIST has " + Cnn.FASHION_INPUT
                    + " (try 'lathe summary " + o.model + "')");
        }
        Split data = data(o);
        Split tv = o.val > 0 ? Split.of(data.first(), o.val, o.seed) : new Split(data.first(), null);
        ArrayDataset train = tv.first();
        Optimizer opt = Optimizer.named(o.optimizer, model.parameters(), o.lr, o.weightDecay);
        if (resume != null) resume.restore(model, opt);
        TrainingListener listener = progress ? new ProgressListener(out) : new EpochLines(out);
        Trainer.Builder b = Trainer.builder(model, opt, LossFunction.crossEntropy())
                .epochs(o.epochs).schedule(LrSchedule.named(o.schedule, o.epochs)).clipNorm(o.clip).listener(listener);
        if (o.patience > 0) b.earlyStopping(new EarlyStopping(o.patience, 0));
        if (o.checkpoint != null) b.checkpoint(o.checkpoint);
        if (resume != null) {
            b.resumeAfter(resume.epoch());
            out.printf("lathe: resuming %s after epoch %d of %d%n", o.resume, resume.epoch(), o.epochs);
        }
        if (o.save != null) b.listener(saveEachEpoch(o, model, opt));
        Trainer trainer = b.build();
        out.printf("lathe: %s on Fashion-MNIST: %,d train / %,d validation / %,d test samples, %,d parameters, %s lr %s, batch %d, %d kernel thread(s)%n",
                o.model, train.size(), tv.second() == null ? 0 : tv.second().size(), data.second().size(), model.parameterCount(),
                opt.name(), o.lr, o.batch, Parallel.threads());
        long t0 = System.nanoTime();
        // crop + flip only on training batches; validation and test see the images as they are
        Dataset fitData = o.augment > 0 ? new Augmented(train, o.augment, true, o.seed) : train;
        History h = trainer.fit(new DataLoader(fitData, o.batch, true, o.seed, false),
                tv.second() == null ? null : DataLoader.inOrder(tv.second(), 1000));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation test = trainer.evaluate(DataLoader.inOrder(data.second(), 1000));
        return new Outcome(model, h, test, seconds);
    }

    /** Writes the full checkpoint after every epoch (atomically: a crash mid-write leaves the previous one). */
    private static TrainingListener saveEachEpoch(TrainOptions o, Module model, Optimizer opt) {
        java.util.Map<String, String> spec = o.spec();
        return new TrainingListener() {
            @Override public void onEpochEnd(EpochResult r) {
                try {
                    Checkpoint.save(o.save, spec, model, opt, r.epoch());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write checkpoint " + o.save + ": " + e.getMessage(), e);
                }
            }
        };
    }

    static void printResult(PrintWriter out, Outcome r) {
        out.printf(java.util.Locale.ROOT, "result test_accuracy=%.4f test_loss=%.4f train_seconds=%.1f%n",
                r.test().accuracy(), r.test().loss(), r.trainSeconds());
    }
}
