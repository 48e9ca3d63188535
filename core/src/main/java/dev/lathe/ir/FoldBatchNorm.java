package dev.lathe.ir;

import dev.lathe.kernels.Epilogue;
import dev.lathe.tensor.Tensor;

/**
 * A batch norm whose input is a convolution read by nothing else (and with no fused activation)
 * folds into it: W' = W gamma / sigma, b' = (b - mu) gamma / sigma + beta, sigma = sqrt(var + eps),
 * computed in double and rounded once. The convolution keeps its name; the batch norm's readers
 * read it.
 */
public final class FoldBatchNorm implements Pass {
    @Override public Program apply(Program p) {
        for (String name : p.nodes().stream().map(Node::name).toList()) {
            Node n = p.producer(name);  // as earlier rewrites left it (its input may now be a folded node)
            if (n == null) continue;
            if (!(n.op() instanceof Op.BatchNorm bn)) continue;
            Node prod = p.producer(n.input());
            if (prod == null || !(prod.op() instanceof Op.Conv2d c) || c.epilogue() != Epilogue.NONE || p.readers().get(prod.name()) != 1) continue;
            p = p.replacing(prod.with(fold(c, bn), "+ BatchNorm folded")).without(n.name(), prod.name());
        }
        return p;
    }

    /** A convolution computing c followed by bn (inference statistics). */
    static Op.Conv2d fold(Op.Conv2d c, Op.BatchNorm bn) {
        int outs = c.outChannels();
        float[] w = c.weight().toFloatArray(), gamma = bn.gamma().toFloatArray(), beta = bn.beta().toFloatArray();
        float[] mean = bn.mean().toFloatArray(), var = bn.var().toFloatArray();
        float[] b = c.bias() == null ? new float[outs] : c.bias().toFloatArray();
        int per = w.length / outs;
        float[] nw = new float[w.length], nb = new float[outs];
        for (int o = 0; o < outs; o++) {
            double scale = gamma[o] / Math.sqrt(var[o] + bn.eps());
            for (int k = 0; k < per; k++) nw[o * per + k] = (float) (w[o * per + k] * scale);
            nb[o] = (float) ((b[o] - mean[o]) * scale + beta[o]);
        }
        return new Op.Conv2d(Tensor.of(nw, c.weight().shape()).to(c.weight().dtype()), Tensor.of(nb, outs).to(c.weight().dtype()), c.spec(), Epilogue.NONE);
    }
}
