package dev.lathe.train;

/** Mean loss and accuracy (NaN for regression) over a dataset. */
public record Evaluation(double loss, double accuracy, long samples) {}
