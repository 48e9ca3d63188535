package dev.lathe.optim;

/**
 * Learning rate as a function of training progress in epochs (0 at the start; 1.5 is halfway
 * through the second epoch), given the base rate. The trainer asks before every step, so smooth
 * schedules (cosine) decay per step and stepped ones (step, exponential) change at epoch ends.
 *
 * <pre>{@code
 * LrSchedule s = LrSchedule.cosine(10, 1e-5);
 * optimizer.setLearningRate(s.rate(1e-3, 2.5));
 * }</pre>
 */
@FunctionalInterface
public interface LrSchedule {
    double rate(double base, double progress);

    static LrSchedule constant() { return (base, progress) -> base; }

    /** Multiplies by gamma every {@code every} whole epochs. */
    static LrSchedule step(int every, double gamma) {
        if (every <= 0) throw new IllegalArgumentException("step schedule: period must be positive, got " + every);
        return (base, progress) -> base * Math.pow(gamma, (int) Math.floor(progress) / every);
    }

    /** Multiplies by gamma every whole epoch. */
    static LrSchedule exponential(double gamma) { return (base, progress) -> base * Math.pow(gamma, Math.floor(progress)); }

    /** Cosine annealing from base to {@code min} over {@code epochs}, per step, then held at min. */
    static LrSchedule cosine(int epochs, double min) {
        if (epochs <= 0) throw new IllegalArgumentException("cosine schedule: epochs must be positive, got " + epochs);
        return (base, progress) -> progress >= epochs ? min : min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * progress / epochs));
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
