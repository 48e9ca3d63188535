package dev.lathe.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * Contour lines of a sampled function z(x, y) by marching squares, drawn as XChart line series
 * (each level is one series of two-point segments separated by NaN, which XChart draws as gaps).
 */
public final class Contours {
    private Contours() {}

    /** Segments of the level set z = level; z[j][i] is the value at (xs[i], ys[j]). Returns {xs..., ys...} with NaN gaps. */
    public static double[][] segments(double[] xs, double[] ys, double[][] z, double level) {
        List<double[]> pts = new ArrayList<>();
        for (int j = 0; j + 1 < ys.length; j++) {
            for (int i = 0; i + 1 < xs.length; i++) {
                // corners counter-clockwise from bottom-left; crossings on each edge where the sign flips
                double[] cx = {xs[i], xs[i + 1], xs[i + 1], xs[i]}, cy = {ys[j], ys[j], ys[j + 1], ys[j + 1]};
                double[] cz = {z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]};
                List<double[]> cross = new ArrayList<>(4);
                for (int e = 0; e < 4; e++) {
                    int f = (e + 1) % 4;
                    if ((cz[e] < level) != (cz[f] < level)) {
                        double t = (level - cz[e]) / (cz[f] - cz[e]);
                        cross.add(new double[] {cx[e] + t * (cx[f] - cx[e]), cy[e] + t * (cy[f] - cy[e])});
                    }
                }
                // two crossings: one segment; four (a saddle cell): pair them in edge order, which is a consistent choice
                for (int k = 0; k + 1 < cross.size(); k += 2) {
                    pts.add(cross.get(k));
                    pts.add(cross.get(k + 1));
                    pts.add(null);
                }
            }
        }
        double[] px = new double[pts.size()], py = new double[pts.size()];
        for (int k = 0; k < pts.size(); k++) {
            px[k] = pts.get(k) == null ? Double.NaN : pts.get(k)[0];
            py[k] = pts.get(k) == null ? Double.NaN : pts.get(k)[1];
        }
        return new double[][] {px, py};
    }

    /**
     * Draws contour lines of f over the box at the given levels, grey, darker for lower levels,
     * and fixes the axes to the box. The levels are returned so callers can report them.
     */
    public static double[] draw(XYChart c, Surface f, double xLo, double xHi, double yLo, double yHi, double[] levels) {
        int n = 161;
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = xLo + (xHi - xLo) * i / (n - 1);
            ys[i] = yLo + (yHi - yLo) * i / (n - 1);
        }
        double[][] z = new double[n][n];
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) z[j][i] = f.at(xs[i], ys[j]);
        for (int l = 0; l < levels.length; l++) {
            double[][] seg = segments(xs, ys, z, levels[l]);
            if (seg[0].length == 0) continue;
            int shade = 90 + (int) (140.0 * l / Math.max(1, levels.length - 1));
            Charts.faintLine(c, "level " + l, seg[0], seg[1], new Color(shade, shade, Math.min(255, shade + 25)));
        }
        Charts.range(c, xLo, xHi, yLo, yHi);
        return levels;
    }

    /** Levels spaced so contours crowd near the minimum: min + (max - min) * (i / n)^2. */
    public static double[] quadraticLevels(Surface f, double xLo, double xHi, double yLo, double yHi, int count) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = 101;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double v = f.at(xLo + (xHi - xLo) * i / (n - 1), yLo + (yHi - yLo) * j / (n - 1));
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double[] levels = new double[count];
        for (int i = 0; i < count; i++) {
            double t = (i + 0.5) / count;
            levels[i] = lo + (hi - lo) * t * t;
        }
        return levels;
    }

    /** A function of two variables, sampled on a grid. */
    @FunctionalInterface
    public interface Surface { double at(double x, double y); }
}
