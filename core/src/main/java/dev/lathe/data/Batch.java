package dev.lathe.data;

import dev.lathe.tensor.Tensor;

/**
 * One batch: inputs [B, ...sampleShape], and labels (classification) or targets [B, ...targetShape]
 * (regression); the other is null.
 */
public record Batch(Tensor x, int[] labels, Tensor targets) {
    public int size() { return x.size(0); }
}
