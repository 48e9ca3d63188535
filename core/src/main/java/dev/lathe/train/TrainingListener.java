package dev.lathe.train;

/** Hooks into a training run (the CLI's progress bar is one). All methods default to nothing. */
public interface TrainingListener {
    default void onStart(int epochs, int batchesPerEpoch, int samplesPerEpoch) {}

    default void onEpochStart(int epoch) {}

    /** After each optimizer step: batch counts from 1 within the epoch; loss is that batch's. */
    default void onBatch(int epoch, int batch, double loss, int samples) {}

    default void onEpochEnd(EpochResult result) {}

    default void onEnd(History history) {}
}
