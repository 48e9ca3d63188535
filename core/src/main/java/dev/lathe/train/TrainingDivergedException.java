package dev.lathe.train;

/** The loss became NaN or infinite: training stops at once and says where. */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch, batch;
    private final long step;

    public TrainingDivergedException(double loss, int epoch, int batch, long step, double lr) {
        super("loss became " + loss + " at epoch " + epoch + ", batch " + batch + " (optimizer step " + step
                + "); lower the learning rate (now " + lr + "), clip gradients, or check the input data for NaN");
        this.epoch = epoch;
        this.batch = batch;
        this.step = step;
    }

    public int epoch() { return epoch; }

    public int batch() { return batch; }

    public long step() { return step; }
}
