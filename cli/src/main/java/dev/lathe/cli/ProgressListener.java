package dev.lathe.cli;

import dev.lathe.train.EpochResult;
import dev.lathe.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar per epoch: batches done, samples/s, running loss, ETA; then the epoch line. */
final class ProgressListener implements TrainingListener {
    private final PrintWriter out;
    private int epochs, batches;
    private ProgressBar bar;
    private long epochStart, samples;
    private double runningLoss = Double.NaN;

    ProgressListener(PrintWriter out) { this.out = out; }

    @Override public void onStart(int epochs, int batchesPerEpoch, int samplesPerEpoch) {
        this.epochs = epochs;
        this.batches = batchesPerEpoch;
    }

    @Override public void onEpochStart(int epoch) {
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(batches).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(200)
                .setMaxRenderedLength(110).build();
        epochStart = System.nanoTime();
        samples = 0;
        runningLoss = Double.NaN;
    }

    @Override public void onBatch(int epoch, int batch, double loss, int n) {
        samples += n;
        // exponential moving average: smooth enough to read, recent enough to show trends
        runningLoss = Double.isNaN(runningLoss) ? loss : 0.98 * runningLoss + 0.02 * loss;
        double secs = (System.nanoTime() - epochStart) / 1e9;
        bar.stepTo(batch);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %,.0f samples/s", runningLoss, samples / Math.max(1e-9, secs)));
    }

    @Override public void onEpochEnd(EpochResult r) {
        if (bar != null) bar.close();
        out.println(EpochLines.format(r, epochs));
    }
}
