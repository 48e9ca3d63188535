package dev.lathe.train;

import dev.lathe.tensor.Tensor;

/** Classification metrics over [batch, classes] outputs. */
public final class Metrics {
    private Metrics() {}

    /** How many rows have their largest output at the labelled class. */
    public static int correct(Tensor output, int[] labels) {
        int[] pred = output.argmax(1);
        int n = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) n++;
        return n;
    }
}
