package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;

/** A parameter-free elementwise (or per-row, for softmax) activation layer. */
public final class Activation extends Module {
    /** The supported functions. */
    public enum Kind { RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, SOFTMAX, LOG_SOFTMAX }

    private final Kind kind;
    private final double slope;

    private Activation(Kind kind, double slope) {
        if (kind == Kind.LEAKY_RELU && !(slope >= 0 && slope < 1)) {
            throw new IllegalArgumentException("LeakyReLU: slope must be in [0, 1), got " + slope);
        }
        this.kind = kind;
        this.slope = slope;
    }

    public static Activation relu() { return new Activation(Kind.RELU, 0); }

    /** min(max(x, 0), 6): MobileNet's activation, bounded for low-precision inference. */
    public static Activation relu6() { return new Activation(Kind.RELU6, 0); }

    public static Activation leakyRelu(double slope) { return new Activation(Kind.LEAKY_RELU, slope); }

    public static Activation sigmoid() { return new Activation(Kind.SIGMOID, 0); }

    public static Activation tanh() { return new Activation(Kind.TANH, 0); }

    /** Softmax over the last axis. */
    public static Activation softmax() { return new Activation(Kind.SOFTMAX, 0); }

    /** Log-softmax over the last axis. */
    public static Activation logSoftmax() { return new Activation(Kind.LOG_SOFTMAX, 0); }

    /** By name: relu, relu6, leaky_relu, sigmoid, tanh, softmax, log_softmax. */
    public static Activation named(String name) {
        return switch (name.toLowerCase()) {
            case "relu" -> relu();
            case "relu6" -> relu6();
            case "leaky_relu", "leakyrelu" -> leakyRelu(0.01);
            case "sigmoid" -> sigmoid();
            case "tanh" -> tanh();
            case "softmax" -> softmax();
            case "log_softmax" -> logSoftmax();
            default -> throw new IllegalArgumentException("unknown activation '" + name + "' (relu, relu6, leaky_relu, sigmoid, tanh, softmax, log_softmax)");
        };
    }

    public Kind kind() { return kind; }

    /** Leaky ReLU's negative slope (0 otherwise). */
    public double slope() { return slope; }

    @Override public Variable forward(Variable x) {
        return switch (kind) {
            case RELU -> Ops.relu(x);
            case RELU6 -> Ops.clamp(x, 0, 6);
            case LEAKY_RELU -> Ops.leakyRelu(x, slope);
            case SIGMOID -> Ops.sigmoid(x);
            case TANH -> Ops.tanh(x);
            case SOFTMAX -> Ops.softmax(x, -1);
            case LOG_SOFTMAX -> Ops.logSoftmax(x, -1);
        };
    }

    @Override public Shape outputShape(Shape input) { return input; }

    @Override public String toString() {
        return switch (kind) {
            case RELU -> "ReLU";
            case RELU6 -> "ReLU6";
            case LEAKY_RELU -> "LeakyReLU(" + slope + ")";
            case SIGMOID -> "Sigmoid";
            case TANH -> "Tanh";
            case SOFTMAX -> "Softmax";
            case LOG_SOFTMAX -> "LogSoftmax";
        };
    }
}
