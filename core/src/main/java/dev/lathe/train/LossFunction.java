package dev.lathe.train;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.Batch;

/** The training objective: a scalar from the model output and the batch's labels or targets. */
@FunctionalInterface
public interface LossFunction {
    Variable compute(Variable output, Batch batch);

    /** Softmax cross-entropy on logits against class labels. */
    static LossFunction crossEntropy() {
        return (out, b) -> {
            if (b.labels() == null) throw new IllegalArgumentException("crossEntropy: the data has regression targets, not class labels");
            return Ops.softmaxCrossEntropy(out, b.labels());
        };
    }

    /** Mean squared error against regression targets. */
    static LossFunction mse() {
        return (out, b) -> {
            if (b.targets() == null) throw new IllegalArgumentException("mse: the data has class labels, not regression targets");
            return Ops.mse(out, Variable.constant(b.targets().to(out.dtype())));
        };
    }

    /** Binary cross-entropy on logits against 0/1 targets. */
    static LossFunction binaryCrossEntropyWithLogits() {
        return (out, b) -> {
            if (b.targets() == null) throw new IllegalArgumentException("binaryCrossEntropy: the data has class labels, not 0/1 targets");
            return Ops.binaryCrossEntropyWithLogits(out, b.targets());
        };
    }
}
