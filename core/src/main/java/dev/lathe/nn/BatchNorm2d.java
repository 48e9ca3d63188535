package dev.lathe.nn;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * Batch normalization over the channels of NCHW input (Ioffe and Szegedy). Training: normalize
 * with the batch's mean and (biased) variance per channel, and update the running statistics
 * (momentum 0.1, unbiased variance, as PyTorch). Evaluation: normalize with the running statistics.
 * Then scale by {@code weight} (gamma) and shift by {@code bias} (beta). Written with autograd
 * primitives, so its gradient needs no rule of its own.
 */
public final class BatchNorm2d extends Module {
    private final int channels;
    private final double eps, momentum;
    private final Variable weight, bias;

    public BatchNorm2d(int channels) { this(channels, 1e-5, 0.1); }

    public BatchNorm2d(int channels, double eps, double momentum) {
        if (channels < 1) throw new IllegalArgumentException("BatchNorm2d(" + channels + "): channels must be positive");
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels + "): eps must be > 0 and momentum in [0, 1], got " + eps + ", " + momentum);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.ones(channels));
        this.bias = registerParameter("bias", Tensor.zeros(channels));
        registerBuffer("running_mean", Tensor.zeros(channels));
        registerBuffer("running_var", Tensor.ones(channels));
    }

    public Variable weight() { return weight; }

    public Variable bias() { return bias; }

    public Tensor runningMean() { return buffer("running_mean"); }

    public Tensor runningVar() { return buffer("running_var"); }

    public double eps() { return eps; }

    public double momentum() { return momentum; }

    public int channels() { return channels; }

    @Override public void resetParameters(Random rnd) {
        weight.setData(Tensor.ones(channels).to(weight.dtype()));
        bias.setData(Tensor.zeros(channels).to(bias.dtype()));
        setBuffer("running_mean", Tensor.zeros(channels).to(runningMean().dtype()));
        setBuffer("running_var", Tensor.ones(channels).to(runningVar().dtype()));
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        if (s.length != 4 || s[1] != channels) {
            throw new IllegalArgumentException(this + ": input must be [batch, " + channels + ", height, width], got " + Arrays.toString(s));
        }
        int[] axes = {0, 2, 3};
        int[] per = {1, channels, 1, 1};
        Variable mean, var;
        if (isTraining()) {
            long n = (long) s[0] * s[2] * s[3];
            if (n < 2) throw new IllegalArgumentException(this + ": training needs more than one value per channel, got input " + Arrays.toString(s));
            mean = Ops.mean(x, axes, true);
            Variable centered = Ops.sub(x, mean);
            var = Ops.mean(Ops.pow(centered, 2), axes, true);
            try (GradMode.Scope g = GradMode.noGrad()) {
                Tensor m = mean.data().reshape(channels), v = var.data().reshape(channels).mul((double) n / (n - 1));
                setBuffer("running_mean", runningMean().mul(1 - momentum).add(m.mul(momentum)));
                setBuffer("running_var", runningVar().mul(1 - momentum).add(v.mul(momentum)));
            }
            Variable inv = Ops.pow(Ops.add(var, Variable.constant(Tensor.scalar(x.dtype(), eps))), -0.5);
            return affine(Ops.mul(centered, inv), per);
        }
        mean = Variable.constant(runningMean().reshape(per));
        Tensor inv = runningVar().add(eps).pow(-0.5).reshape(per);
        return affine(Ops.mul(Ops.sub(x, mean), Variable.constant(inv)), per);
    }

    private Variable affine(Variable xhat, int[] per) {
        return Ops.add(Ops.mul(xhat, Ops.reshape(weight, per)), Ops.reshape(bias, per));
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() != 4 || input.dim(1) != channels) throw new IllegalArgumentException(this + ": input must be [batch, " + channels + ", height, width], got " + input);
        return input;
    }

    @Override public long macs(Shape input) { return 2L * input.sampleSize(); }

    @Override public String toString() { return "BatchNorm2d(" + channels + ")"; }
}
