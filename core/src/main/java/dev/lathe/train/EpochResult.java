package dev.lathe.train;

import java.util.Map;

/**
 * What one epoch produced. Validation figures are NaN when there is no validation set; accuracy is
 * NaN when the task reports none (regression). {@code metrics} holds every metric of the task as
 * {@code train_NAME} and {@code val_NAME} (a head's as {@code val_OUTPUT/NAME}).
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                          double learningRate, double seconds, long samples, Map<String, Double> metrics) {
    public EpochResult {
        metrics = Map.copyOf(metrics);
    }

    public EpochResult(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double learningRate, double seconds, long samples) {
        this(epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, learningRate, seconds, samples, Map.of());
    }

    public double samplesPerSecond() { return samples / Math.max(1e-9, seconds); }

    public boolean hasValidation() { return !Double.isNaN(valLoss); }

    /** A metric by its full name ({@code val_accuracy}, {@code train_boxes/rmse}), NaN when absent. */
    public double metric(String name) { return metrics.getOrDefault(name, Double.NaN); }
}
