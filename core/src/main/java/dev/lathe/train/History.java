package dev.lathe.train;

import java.util.ArrayList;
import java.util.List;

/** Per-epoch results of a training run, the best epoch, and whether early stopping ended it. */
public final class History {
    private final List<EpochResult> epochs = new ArrayList<>();
    private int bestEpoch = -1;
    private boolean stoppedEarly;

    void add(EpochResult r) { epochs.add(r); }

    void markBest(int epoch) { bestEpoch = epoch; }

    void markStoppedEarly() { stoppedEarly = true; }

    public List<EpochResult> epochs() { return List.copyOf(epochs); }

    public EpochResult last() { return epochs.get(epochs.size() - 1); }

    /** The epoch (from 1) with the lowest monitored loss, or -1 before any epoch. */
    public int bestEpoch() { return bestEpoch; }

    public boolean stoppedEarly() { return stoppedEarly; }

    /** Training loss per epoch (for plots and determinism checks). */
    public double[] trainLosses() { return epochs.stream().mapToDouble(EpochResult::trainLoss).toArray(); }

    public double[] valLosses() { return epochs.stream().mapToDouble(EpochResult::valLoss).toArray(); }
}
