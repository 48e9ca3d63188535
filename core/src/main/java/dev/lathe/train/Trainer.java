package dev.lathe.train;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.data.Batch;
import dev.lathe.data.DataLoader;
import dev.lathe.io.Safetensors;
import dev.lathe.nn.Module;
import dev.lathe.optim.GradClip;
import dev.lathe.optim.LrSchedule;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fit loop: per epoch, run every training batch (learning rate from the schedule, forward,
 * loss, backward, optional clipping, step), evaluate on the validation set, keep the best
 * weights (and write them to the checkpoint file), and stop early when asked. What is trained is a
 * {@link Task} (a loss over the model's named outputs, and its metrics); the model's inputs are
 * the batch fields of the same names. Listeners are the hooks: after backward, before and after
 * the optimizer step, per epoch.
 *
 * <pre>{@code
 * History h = Trainer.builder(model, new Adam(model.parameters(), 1e-3), LossFunction.crossEntropy())
 *         .epochs(2).earlyStopping(new EarlyStopping(3, 0)).build()
 *         .fit(trainLoader, valLoader);
 * }</pre>
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final Task task;
    private final int epochs;
    private final LrSchedule schedule;
    private final double clipNorm;
    private final EarlyStopping earlyStopping;
    private final Path checkpoint;
    private final List<TrainingListener> listeners;
    private final int epochsDone;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.task = b.task;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.clipNorm = b.clipNorm;
        this.earlyStopping = b.earlyStopping;
        this.checkpoint = b.checkpoint;
        this.listeners = List.copyOf(b.listeners);
        this.epochsDone = b.epochsDone;
    }

    /** A one-output model trained on a loss; accuracy is reported for labelled data. */
    public static Builder builder(Module model, Optimizer optimizer, LossFunction loss) { return new Builder(model, optimizer, Task.of(loss)); }

    /** A model trained for a task (several outputs, their losses and metrics). */
    public static Builder builder(Module model, Optimizer optimizer, Task task) { return new Builder(model, optimizer, task); }

    /** Trains; {@code validation} may be null. With early stopping, the best weights are restored at the end. */
    public History fit(DataLoader train, DataLoader validation) {
        History history = new History();
        double baseLr = optimizer.learningRate();
        double best = Double.POSITIVE_INFINITY;
        Map<String, Tensor> bestWeights = null;
        int sinceBest = 0;
        listeners.forEach(l -> l.onStart(epochs, train.batches(), train.examples().size()));
        // a resumed run sees the same shuffles an uninterrupted one would have from here on
        train.skipPasses(epochsDone);
        for (int epoch = epochsDone + 1; epoch <= epochs; epoch++) {
            int e = epoch;
            listeners.forEach(l -> l.onEpochStart(e));
            long t0 = System.nanoTime();
            Evaluation tr = trainEpoch(train, epoch, baseLr);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Evaluation val = validation == null ? null : evaluate(validation);
            Map<String, Double> metrics = new java.util.LinkedHashMap<>();
            tr.metrics().forEach((k, v) -> metrics.put("train_" + k, v));
            if (val != null) val.metrics().forEach((k, v) -> metrics.put("val_" + k, v));
            EpochResult r = new EpochResult(epoch, tr.loss(), tr.accuracy(), val == null ? Double.NaN : val.loss(),
                    val == null ? Double.NaN : val.accuracy(), optimizer.learningRate(), seconds, tr.samples(), metrics);
            history.add(r);
            double monitored = val == null ? tr.loss() : val.loss();
            boolean improved = monitored < best - (earlyStopping == null ? 0 : earlyStopping.minDelta());
            if (improved) {
                best = monitored;
                sinceBest = 0;
                history.markBest(epoch);
                if (earlyStopping != null) bestWeights = model.stateDict();
                if (checkpoint != null) saveCheckpoint(epoch, monitored);
            } else {
                sinceBest++;
            }
            listeners.forEach(l -> l.onEpochEnd(r));
            if (earlyStopping != null && sinceBest >= earlyStopping.patience()) {
                history.markStoppedEarly();
                break;
            }
        }
        if (bestWeights != null && !history.epochs().isEmpty() && history.bestEpoch() != history.last().epoch()) model.loadStateDict(bestWeights);
        listeners.forEach(l -> l.onEnd(history));
        return history;
    }

    private Evaluation trainEpoch(DataLoader train, int epoch, double baseLr) {
        model.train();
        Tally tally = new Tally();
        int batchNo = 0, batches = Math.max(1, train.batches());
        for (Batch b : train) {
            optimizer.setLearningRate(schedule.rate(baseLr, epoch - 1 + (double) batchNo / batches));
            batchNo++;
            optimizer.zeroGrad();
            Map<String, Variable> out = model.forwardAll(inputs(b));
            Variable l = task.loss(out, b);
            double lv = l.data().item();
            if (!Double.isFinite(lv)) {
                throw new TrainingDivergedException(lv, epoch, batchNo, optimizer.steps() + 1, optimizer.learningRate());
            }
            l.backward();
            Step step = new Step(epoch, batchNo, optimizer.steps() + 1, b, lv, optimizer);
            listeners.forEach(li -> li.afterBackward(step));
            if (clipNorm > 0) GradClip.byNorm(optimizer.parameters(), clipNorm);
            listeners.forEach(li -> li.beforeStep(step));
            optimizer.step();
            listeners.forEach(li -> li.afterStep(step));
            tally.add(lv, out, b);
            int n = batchNo, size = b.size();
            listeners.forEach(li -> li.onBatch(epoch, n, lv, size));
        }
        return tally.result();
    }

    /** Mean loss and the task's metrics in evaluation mode, without recording gradients. */
    public Evaluation evaluate(DataLoader data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Tally tally = new Tally();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Batch b : data) {
                Map<String, Variable> out = model.forwardAll(inputs(b));
                tally.add(task.loss(out, b).data().item(), out, b);
            }
        } finally {
            if (wasTraining) model.train();
        }
        return tally.result();
    }

    /** The model's inputs: the batch fields of the same names. */
    private Map<String, Variable> inputs(Batch b) {
        List<String> names = model.inputNames();
        if (names.size() == 1) return Map.of(names.get(0), Variable.constant(b.tensor(names.get(0))));
        Map<String, Variable> in = new java.util.HashMap<>();
        for (String n : names) in.put(n, Variable.constant(b.tensor(n)));
        return in;
    }

    /** Sample-weighted mean loss over a pass, and the task's metrics. */
    private final class Tally {
        private final MetricTally metrics = task.metrics();
        private double lossSum;
        private long seen;

        void add(double batchLoss, Map<String, Variable> out, Batch b) {
            lossSum += batchLoss * b.size();
            seen += b.size();
            metrics.add(out, b);
        }

        Evaluation result() { return new Evaluation(lossSum / Math.max(1, seen), seen, metrics.result()); }
    }

    private void saveCheckpoint(int epoch, double monitored) {
        try {
            Safetensors.write(checkpoint, model.stateDict(), Map.of("epoch", Integer.toString(epoch), "monitored_loss", Double.toString(monitored)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Settings for a {@link Trainer}; only model, optimizer and loss are required. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private final Task task;
        private int epochs = 1;
        private LrSchedule schedule = LrSchedule.constant();
        private double clipNorm;
        private EarlyStopping earlyStopping;
        private Path checkpoint;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private int epochsDone;

        private Builder(Module model, Optimizer optimizer, Task task) {
            this.model = model;
            this.optimizer = optimizer;
            this.task = task;
        }

        public Builder epochs(int n) {
            if (n < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + n);
            epochs = n;
            return this;
        }

        public Builder schedule(LrSchedule s) {
            schedule = s;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} before each step (0 = off). */
        public Builder clipNorm(double maxNorm) {
            if (!(maxNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + maxNorm);
            clipNorm = maxNorm;
            return this;
        }

        public Builder earlyStopping(EarlyStopping e) {
            earlyStopping = e;
            return this;
        }

        /** Writes the best weights (safetensors) to this file whenever the monitored loss improves. */
        public Builder checkpoint(Path file) {
            checkpoint = file;
            return this;
        }

        /**
         * Continues a run of which {@code done} epochs are finished (weights and optimizer state
         * restored from a {@link Checkpoint}): epochs done+1 .. epochs run, with the learning-rate
         * schedule and data order of the uninterrupted run. Early stopping starts afresh.
         */
        public Builder resumeAfter(int done) {
            if (done < 0) throw new IllegalArgumentException("resume: epochs done must be >= 0, got " + done);
            epochsDone = done;
            return this;
        }

        /** Adds a listener: it observes the run and may act at the step hooks (see {@link TrainingListener}). */
        public Builder listener(TrainingListener l) {
            listeners.add(l);
            return this;
        }

        public Trainer build() {
            if (epochsDone >= epochs) throw new IllegalArgumentException("resume: " + epochsDone + " epochs are done and the run has " + epochs + "; raise the epoch count to continue");
            return new Trainer(this);
        }
    }
}
