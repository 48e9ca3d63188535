package dev.lathe.cli;

import dev.lathe.train.EpochResult;
import dev.lathe.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** One line per epoch: for logs, pipes and CI, where a progress bar would be noise. */
final class EpochLines implements TrainingListener {
    private final PrintWriter out;
    private int epochs;

    EpochLines(PrintWriter out) { this.out = out; }

    @Override public void onStart(int epochs, int batchesPerEpoch, int samplesPerEpoch) { this.epochs = epochs; }

    @Override public void onEpochEnd(EpochResult r) { out.println(format(r, epochs)); }

    static String format(EpochResult r, int epochs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", r.epoch(), epochs, r.trainLoss()));
        if (!Double.isNaN(r.trainAccuracy())) b.append(String.format(Locale.ROOT, " acc %.4f", r.trainAccuracy()));
        if (r.hasValidation()) {
            b.append(String.format(Locale.ROOT, "  val_loss %.4f", r.valLoss()));
            if (!Double.isNaN(r.valAccuracy())) b.append(String.format(Locale.ROOT, " val_acc %.4f", r.valAccuracy()));
        }
        b.append(String.format(Locale.ROOT, "  lr %.2g  %,.0f samples/s  %.1f s", r.learningRate(), r.samplesPerSecond(), r.seconds()));
        return b.toString();
    }
}
