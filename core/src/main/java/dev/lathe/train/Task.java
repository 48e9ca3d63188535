package dev.lathe.train;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.Batch;
import dev.lathe.data.Example;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a model's outputs are trained for: the loss of one batch, and the metrics a pass reports.
 * A one-output task reads the model's only output; {@link #heads} sums several tasks over named
 * outputs with weights (a detector's class and box heads). Detection's mAP or an anomaly score's
 * AUC are tasks of their own: a loss plus a {@link MetricTally} that sees every batch of a pass.
 *
 * <pre>{@code
 * Task t = Task.heads(new Task.Head("classes", Task.classification("label"), 1.0),
 *                     new Task.Head("boxes", Task.regression("box"), 5.0));
 * }</pre>
 */
public interface Task {
    /** The scalar loss of one batch, from the model's outputs by name. */
    Variable loss(Map<String, Variable> outputs, Batch batch);

    /** A fresh tally of this task's metrics for one pass (none by default). */
    default MetricTally metrics() { return MetricTally.none(); }

    /** Softmax cross-entropy against the {@value Example#LABEL} field; reports accuracy. */
    static Task classification() { return classification(Example.LABEL); }

    /** Softmax cross-entropy against a field of class indices; reports accuracy. */
    static Task classification(String labelField) {
        return new Task() {
            @Override public Variable loss(Map<String, Variable> outputs, Batch b) {
                return Ops.softmaxCrossEntropy(only(outputs, "classification"), b.classIndices(labelField));
            }

            @Override public MetricTally metrics() { return MetricTally.accuracy(labelField); }
        };
    }

    /** Mean squared error against the {@value Example#TARGET} field. */
    static Task regression() { return regression(Example.TARGET); }

    /** Mean squared error against a field of real-valued targets; reports the root mean squared error. */
    static Task regression(String targetField) {
        return new Task() {
            @Override public Variable loss(Map<String, Variable> outputs, Batch b) {
                Variable out = only(outputs, "regression");
                return Ops.mse(out, Variable.constant(b.tensor(targetField).to(out.dtype())));
            }

            @Override public MetricTally metrics() { return MetricTally.rmse(targetField); }
        };
    }

    /** A loss on the one output; accuracy is reported when the batches carry class labels. */
    static Task of(LossFunction loss) {
        return new Task() {
            @Override public Variable loss(Map<String, Variable> outputs, Batch b) { return loss.compute(only(outputs, "the loss"), b); }

            @Override public MetricTally metrics() { return MetricTally.accuracy(Example.LABEL); }
        };
    }

    /** One output's task and its weight in the summed loss. */
    record Head(String output, Task task, double weight) {
        public Head {
            if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("head '" + output + "': weight must be finite and >= 0, got " + weight);
        }
    }

    /**
     * Several outputs trained at once: the loss is the weighted sum of each head's loss on its own
     * output; each head's metrics are reported as {@code OUTPUT/NAME}.
     */
    static Task heads(Head... heads) {
        if (heads.length == 0) throw new IllegalArgumentException("Task.heads: no heads");
        List<Head> hs = List.of(heads);
        return new Task() {
            @Override public Variable loss(Map<String, Variable> outputs, Batch b) {
                Variable total = null;
                for (Head h : hs) {
                    Variable l = Ops.scale(h.task().loss(Map.of(h.output(), output(outputs, h.output())), b), h.weight());
                    total = total == null ? l : Ops.add(total, l);
                }
                return total;
            }

            @Override public MetricTally metrics() {
                List<MetricTally> ts = new ArrayList<>();
                for (Head h : hs) ts.add(h.task().metrics());
                return new MetricTally() {
                    @Override public void add(Map<String, Variable> outputs, Batch b) {
                        for (int i = 0; i < hs.size(); i++) ts.get(i).add(Map.of(hs.get(i).output(), output(outputs, hs.get(i).output())), b);
                    }

                    @Override public Map<String, Double> result() {
                        Map<String, Double> r = new LinkedHashMap<>();
                        for (int i = 0; i < hs.size(); i++) {
                            String prefix = hs.get(i).output() + "/";
                            ts.get(i).result().forEach((k, v) -> r.put(prefix + k, v));
                        }
                        return r;
                    }
                };
            }
        };
    }

    /** The model's only output; an error naming the outputs when there are several. */
    static Variable only(Map<String, Variable> outputs, String who) {
        if (outputs.size() != 1) throw new IllegalArgumentException(who + " reads one output, the model has " + outputs.size() + ": " + outputs.keySet() + "; give each output its task with Task.heads");
        return outputs.values().iterator().next();
    }

    private static Variable output(Map<String, Variable> outputs, String name) {
        Variable v = outputs.get(name);
        if (v == null) throw new IllegalArgumentException("task head '" + name + "': the model has no such output (it has " + outputs.keySet() + ")");
        return v;
    }
}
