package dev.lathe.optim;

/**
 * Learning rate as a function of the epoch (counted from 0), given the base rate.
 *
 * <pre>{@code
 * LrSchedule s = LrSchedule.cosine(10, 1e-5);
 * optimizer.setLearningRate(s.rate(1e-3, epoch));
 * }</pre>
 */
@FunctionalInterface
public interface LrSchedule {
    double rate(double base, int epoch);

    static LrSchedule constant() { return (base, epoch) -> base; }

    /** Multiplies by gamma every {@code every} epochs. */
    static LrSchedule step(int every, double gamma) {
        if (every <= 0) throw new IllegalArgumentException("step schedule: period must be positive, got " + every);
        return (base, epoch) -> base * Math.pow(gamma, epoch / every);
    }

    /** Multiplies by gamma every epoch. */
    static LrSchedule exponential(double gamma) { return (base, epoch) -> base * Math.pow(gamma, epoch); }

    /** Cosine annealing from base to {@code min} over {@code epochs}, then held at min. */
    static LrSchedule cosine(int epochs, double min) {
        if (epochs <= 0) throw new IllegalArgumentException("cosine schedule: epochs must be positive, got " + epochs);
        return (base, epoch) -> epoch >= epochs ? min : min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * epoch / epochs));
    }

    /** By name for the CLI: constant, step (every 5 epochs, x0.5), exp (x0.9 per epoch), cosine. */
    static LrSchedule named(String name, int totalEpochs) {
        return switch (name.toLowerCase()) {
            case "constant", "none" -> constant();
            case "step" -> step(5, 0.5);
            case "exp", "exponential" -> exponential(0.9);
            case "cosine" -> cosine(Math.max(1, totalEpochs), 0);
            default -> throw new IllegalArgumentException("unknown schedule '" + name + "' (constant, step, exp, cosine)");
        };
    }
}
