package dev.lathe.ir;

import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.ConvTranspose2d;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Init;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.nn.Upsample;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.PoolSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * The way back from the IR to trainable nn layers, for a program that came from elsewhere (an ONNX
 * file to fine-tune): each node becomes its layer with the node's weights. nn layers are narrower
 * than the IR (square kernels, one stride and pad for both axes, no pad or transpose layers), so a
 * node they cannot hold is an error naming it and what it lacks; the program itself still runs in
 * the batch-1 runtime.
 */
public final class Raising {
    private Raising() {}

    /** The program as a graph of nn layers (evaluation mode), input {@link Graph#INPUT}, the program's outputs as its outputs. */
    public static Graph toGraph(Program p) {
        Graph.Builder b = Graph.builder();
        Map<String, String> value = new HashMap<>(Map.of(p.input(), Graph.INPUT));
        Map<String, dev.lathe.tensor.Shape> shapes = p.shapes();
        for (Node n : p.nodes()) {
            String[] ins = n.inputs().stream().map(value::get).toArray(String[]::new);
            if (n.op() instanceof Op.Dropout) {  // the identity in evaluation mode, kept as a layer so fine-tuning regularizes as the source did
                value.put(n.name(), b.add(n.name(), new Dropout(((Op.Dropout) n.op()).p()), ins));
                continue;
            }
            value.put(n.name(), b.add(n.name(), layer(n, shapes.get(n.input())), ins));
        }
        Graph g = b.build(p.outputs().stream().map(value::get).toArray(String[]::new));
        g.eval();
        return g;
    }

    private static Module layer(Node n, dev.lathe.tensor.Shape in) {
        return switch (n.op()) {
            case Op.Conv2d c -> {
                ConvSpec s = c.spec();
                int k = square(n, c.weight().size(2), c.weight().size(3), s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
                Conv2d conv = Conv2d.builder(c.inChannels(), c.outChannels(), k).stride(s.strideH()).padding(s.padH()).dilation(s.dilationH())
                        .groups(s.groups()).bias(c.bias() != null).build();
                conv.weight().data().assign(c.weight());
                if (c.bias() != null) conv.bias().data().assign(c.bias());
                yield withEpilogue(conv, c.epilogue(), n);
            }
            case Op.Dense d -> {
                Linear l = new Linear(d.inFeatures(), d.outFeatures(), d.bias() != null, Init.heUniform());
                l.weight().data().assign(d.weight());
                if (d.bias() != null) l.bias().data().assign(d.bias());
                yield withEpilogue(l, d.epilogue(), n);
            }
            case Op.ConvTranspose2d t -> {
                ConvSpec s = t.spec();
                int k = square(n, t.weight().size(2), t.weight().size(3), s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW());
                if (t.outPadH() != t.outPadW()) throw cannot(n, "output padding differs between height and width");
                ConvTranspose2d layer = ConvTranspose2d.builder(t.inChannels(), t.outChannels(), k).stride(s.strideH()).padding(s.padH())
                        .outputPadding(t.outPadH()).groups(s.groups()).bias(t.bias() != null).build();
                layer.weight().data().assign(t.weight());
                if (t.bias() != null) layer.bias().data().assign(t.bias());
                yield layer;
            }
            case Op.Pool pool -> {
                if (pool.kind() == Op.Pool.Kind.GLOBAL_AVERAGE) yield Pool2d.globalAverage();
                PoolSpec s = pool.spec();
                int k = square(n, s.kernelH(), s.kernelW(), s.strideH(), s.strideW(), s.padH(), s.padW(), 1, 1);
                if (pool.kind() == Op.Pool.Kind.MAX) yield s.ceil() ? Pool2d.maxCeil(k, s.strideH(), s.padH()) : Pool2d.max(k, s.strideH(), s.padH());
                if (s.ceil()) throw cannot(n, "average pooling with ceil mode");
                yield Pool2d.average(k, s.strideH(), s.padH(), pool.countPad());
            }
            case Op.BatchNorm bn -> {
                BatchNorm2d layer = new BatchNorm2d(bn.channels(), bn.eps(), 0.1);
                layer.weight().data().assign(bn.gamma());
                layer.bias().data().assign(bn.beta());
                layer.runningMean().assign(bn.mean());
                layer.runningVar().assign(bn.var());
                yield layer.eval();
            }
            case Op.Activation a -> switch (a.kind()) {
                case RELU -> Activation.relu();
                case RELU6 -> Activation.relu6();
                case LEAKY_RELU -> Activation.leakyRelu(a.slope());
                case SIGMOID -> Activation.sigmoid();
                case TANH -> Activation.tanh();
                case SOFTMAX -> Activation.softmax();
                case LOG_SOFTMAX -> Activation.logSoftmax();
            };
            case Op.Add add -> Merge.add();
            case Op.Concat cat -> Merge.concat();
            case Op.Reshape r -> {
                if (!r.equals(Op.Reshape.flatten())) throw cannot(n, "is a reshape other than a flatten");
                yield new Flatten();
            }
            case Op.Resize r -> new Upsample(r.mode(), r.scaleH(), r.scaleW());
            case Op.Dropout d -> new Dropout(d.p());
            case Op.Pad pad -> throw cannot(n, "is a Pad (nn has no padding layer: asymmetric pads from the source file)");
            case Op.Transpose t -> throw cannot(n, "is a Transpose (nn has no transpose layer)");
        };
    }

    /** A fused activation raised back to a layer after the conv or dense one. */
    private static Module withEpilogue(Module m, int epilogue, Node n) {
        if (epilogue == dev.lathe.kernels.Epilogue.NONE) return m;
        return new dev.lathe.nn.Sequential(m, epilogue == dev.lathe.kernels.Epilogue.RELU ? Activation.relu() : Activation.relu6());
    }

    private static int square(Node n, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        if (kh != kw || sh != sw || ph != pw || dh != dw) {
            throw cannot(n, "has kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", pad " + ph + "x" + pw + ", dilation " + dh + "x" + dw
                    + "; nn layers have one value for both axes");
        }
        return kh;
    }

    private static IllegalArgumentException cannot(Node n, String why) {
        return new IllegalArgumentException("node '" + n.name() + "' (" + n.op() + ") has no trainable nn layer: it " + why);
    }
}
