package dev.lathe.train;

import java.util.Map;

/** Mean loss over a dataset and the task's metrics (accuracy for classification). */
public record Evaluation(double loss, long samples, Map<String, Double> metrics) {
    public Evaluation {
        metrics = Map.copyOf(metrics);
    }

    /** The "accuracy" metric, NaN when the task reports none (regression). */
    public double accuracy() { return metric("accuracy"); }

    /** A metric by name, NaN when absent. */
    public double metric(String name) { return metrics.getOrDefault(name, Double.NaN); }
}
