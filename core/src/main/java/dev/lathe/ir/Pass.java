package dev.lathe.ir;

import java.util.List;

/**
 * One rewrite of a program that keeps what it computes (each has its own equivalence test against
 * {@link Reference}). The frozen inference pipeline is {@link #INFERENCE}, in that order: dropout
 * first so the folds see through it, batch norm before activations so conv -> BN -> ReLU becomes
 * one conv with a ReLU epilogue.
 */
public interface Pass {
    Program apply(Program p);

    /** What a frozen fp32 plan runs: dropout removed, batch norm folded, ReLU/ReLU6 fused. */
    List<Pass> INFERENCE = List.of(new RemoveDropout(), new FoldBatchNorm(), new FuseActivation());

    static Program all(Program p, List<Pass> passes) {
        for (Pass pass : passes) p = pass.apply(p);
        return p;
    }
}
