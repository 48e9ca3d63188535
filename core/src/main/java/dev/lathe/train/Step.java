package dev.lathe.train;

import dev.lathe.autograd.Variable;
import dev.lathe.data.Batch;
import dev.lathe.optim.Optimizer;
import java.util.List;

/**
 * One optimizer step as the hooks see it: where in the run it is, the batch, its loss, and the
 * optimizer whose parameters hold the gradients (after backward) or the new weights (after the step).
 *
 * @param step the optimizer step about to be taken or just taken, counting from 1 over the run
 */
public record Step(int epoch, int batchInEpoch, long step, Batch batch, double loss, Optimizer optimizer) {
    /** The trained parameters; their {@code grad()} is what a distributed hook averages. */
    public List<Variable> parameters() { return optimizer.parameters(); }
}
