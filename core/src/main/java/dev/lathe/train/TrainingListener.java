package dev.lathe.train;

/**
 * Hooks into a training run. Most observe (the CLI's progress bar, the epoch lines); the step
 * hooks may also act on the gradients or weights: {@link #afterBackward} is where a distributed
 * run averages gradients across workers, before clipping and the optimizer see them. All methods
 * default to nothing; within one step they are called in the order declared here.
 */
public interface TrainingListener {
    default void onStart(int epochs, int batchesPerEpoch, int samplesPerEpoch) {}

    default void onEpochStart(int epoch) {}

    /** After backward: the parameters hold this batch's gradients, not yet clipped. */
    default void afterBackward(Step step) {}

    /** After clipping, just before the optimizer step. */
    default void beforeStep(Step step) {}

    /** After the optimizer step: the parameters hold the new weights. */
    default void afterStep(Step step) {}

    /** After each optimizer step (after {@link #afterStep}): batch counts from 1 within the epoch; loss is that batch's. */
    default void onBatch(int epoch, int batch, double loss, int samples) {}

    default void onEpochEnd(EpochResult result) {}

    default void onEnd(History history) {}
}
