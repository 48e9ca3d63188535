package dev.lathe.train;

import dev.lathe.autograd.Variable;
import dev.lathe.data.Batch;
import java.util.Map;

/**
 * A task's metrics over one pass: every batch is added (outputs and data), the figures are read
 * at the end. A metric that is not a mean of per-batch figures (mAP, AUC) keeps what it needs
 * and computes at {@link #result}.
 */
public interface MetricTally {
    void add(Map<String, Variable> outputs, Batch batch);

    /** Metric name -> value; a metric with nothing to measure is absent. */
    Map<String, Double> result();

    static MetricTally none() {
        return new MetricTally() {
            @Override public void add(Map<String, Variable> outputs, Batch batch) {}

            @Override public Map<String, Double> result() { return Map.of(); }
        };
    }

    /** The root mean squared error of the one output against {@code targetField}, over every value of the pass. */
    static MetricTally rmse(String targetField) {
        return new MetricTally() {
            private double sumSquares;
            private long values;

            @Override public void add(Map<String, Variable> outputs, Batch b) {
                float[] y = Task.only(outputs, "rmse").data().toFloatArray(), t = b.tensor(targetField).toFloatArray();
                if (y.length != t.length) throw new IllegalArgumentException("rmse: the output has " + y.length + " values per batch, the field '" + targetField + "' " + t.length);
                for (int i = 0; i < y.length; i++) sumSquares += (double) (y[i] - t[i]) * (y[i] - t[i]);
                values += y.length;
            }

            @Override public Map<String, Double> result() { return values == 0 ? Map.of() : Map.of("rmse", Math.sqrt(sumSquares / values)); }
        };
    }

    /** The share of examples whose largest output is the class in {@code labelField}; absent when no batch had that field. */
    static MetricTally accuracy(String labelField) {
        return new MetricTally() {
            private long correct, seen;

            @Override public void add(Map<String, Variable> outputs, Batch b) {
                if (!b.has(labelField)) return;
                correct += Metrics.correct(Task.only(outputs, "accuracy").data(), b.classIndices(labelField));
                seen += b.size();
            }

            @Override public Map<String, Double> result() { return seen == 0 ? Map.of() : Map.of("accuracy", (double) correct / seen); }
        };
    }
}
