package dev.lathe.ir;

import dev.lathe.kernels.Epilogue;

/**
 * A ReLU or ReLU6 whose input is a convolution, or a dense layer on [1, features], read by nothing
 * else runs in that node's GEMM epilogue (the clamp as the tile is stored): one pass over the
 * output instead of two.
 */
public final class FuseActivation implements Pass {
    @Override public Program apply(Program p) {
        for (String name : p.nodes().stream().map(Node::name).toList()) {
            Node n = p.producer(name);  // as earlier rewrites left it (its input may now be a folded node)
            if (n == null) continue;
            if (!(n.op() instanceof Op.Activation a) || a.epilogue() < 0) continue;
            Node prod = p.producer(n.input());
            if (prod == null || p.readers().get(prod.name()) != 1) continue;
            Op fused = switch (prod.op()) {
                case Op.Conv2d c when c.epilogue() == Epilogue.NONE -> c.withEpilogue(a.epilogue());
                case Op.Dense d when d.epilogue() == Epilogue.NONE && prod.output().rank() == 2 -> d.withEpilogue(a.epilogue());
                default -> null;
            };
            if (fused != null) p = p.replacing(prod.with(fused, "+ " + a + " fused")).without(n.name(), prod.name());
        }
        return p;
    }
}
