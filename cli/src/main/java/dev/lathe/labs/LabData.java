package dev.lathe.labs;

import java.util.Random;

/** The labs' generated data sets: small, seeded, with known generating functions. */
final class LabData {
    private LabData() {}

    /** Inputs x (n values) and targets y, as two arrays of equal length. */
    record XY(float[] x, float[] y) {
        int size() { return x.length; }
    }

    /** Points in the plane with a class label each: x holds (x0, x1) pairs. */
    record Labelled(float[] x, int[] labels) {
        int size() { return labels.length; }
    }

    /** y = slope * x + offset + N(0, noise^2), x uniform in [lo, hi]. */
    static XY line(int n, double slope, double offset, double noise, double lo, double hi, Random rnd) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
            y[i] = (float) (slope * x[i] + offset + noise * rnd.nextGaussian());
        }
        return new XY(x, y);
    }

    /** The non-linear curve the fitting labs use. */
    static double curve(double x) { return Math.sin(1.5 * x) + 0.3 * x; }

    /** y = curve(x) + N(0, noise^2), x uniform in [lo, hi]. */
    static XY curve(int n, double noise, double lo, double hi, Random rnd) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
            y[i] = (float) (curve(x[i]) + noise * rnd.nextGaussian());
        }
        return new XY(x, y);
    }

    /** n evenly spaced points from lo to hi inclusive. */
    static float[] grid(int n, double lo, double hi) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) (lo + (hi - lo) * i / (n - 1));
        return g;
    }

    /** Two interleaved spirals (class 0 and 1), n points each, with Gaussian jitter. */
    static Labelled spirals(int n, double noise, Random rnd) {
        float[] x = new float[4 * n];
        int[] labels = new int[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            int cls = i % 2;
            double t = 0.25 + 2.75 * Math.PI * rnd.nextDouble();
            double r = t / (3 * Math.PI);
            double angle = t + cls * Math.PI;
            x[2 * i] = (float) (r * Math.cos(angle) * 2 + noise * rnd.nextGaussian());
            x[2 * i + 1] = (float) (r * Math.sin(angle) * 2 + noise * rnd.nextGaussian());
            labels[i] = cls;
        }
        return new Labelled(x, labels);
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
