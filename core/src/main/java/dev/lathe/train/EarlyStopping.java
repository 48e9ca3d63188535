package dev.lathe.train;

/**
 * Stops training when the monitored loss (validation loss, or training loss without a validation
 * set) has not improved by more than {@code minDelta} for {@code patience} epochs.
 */
public record EarlyStopping(int patience, double minDelta) {
    public EarlyStopping {
        if (patience < 1) throw new IllegalArgumentException("early stopping: patience must be >= 1, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("early stopping: min delta must be >= 0, got " + minDelta);
    }
}
