package dev.lathe.train;

/** What one epoch produced. Validation figures are NaN when there is no validation set; accuracy is NaN for regression. */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                          double learningRate, double seconds, long samples) {
    public double samplesPerSecond() { return samples / Math.max(1e-9, seconds); }

    public boolean hasValidation() { return !Double.isNaN(valLoss); }
}
