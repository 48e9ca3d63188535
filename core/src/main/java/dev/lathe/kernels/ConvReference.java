package dev.lathe.kernels;

/**
 * Scalar twin of {@link Conv2d} and {@link Pool2d}: the definitions written as plain loops in
 * double precision. It is the oracle of the kernel tests and the float64 path for gradient checks.
 */
public final class ConvReference {
    private ConvReference() {}

    /** y[n, o, i, j] = b[o] + sum over (cg, u, v) of x[n, g*cg + ci, i*sh - ph + u*dh, j*sw - pw + v*dw] * w[o, ci, u, v]. */
    public static void forward(ConvGeometry g, double[] x, double[] w, double[] b, double[] y) {
        int oh = g.oh(), ow = g.ow(), cg = g.cg(), og = g.og();
        for (int n = 0; n < g.n(); n++) for (int o = 0; o < g.o(); o++) {
            int grp = o / og;
            for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                double s = b == null ? 0 : b[o];
                for (int ci = 0; ci < cg; ci++) for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                    int r = i * g.sh() - g.ph() + u * g.dh(), q = j * g.sw() - g.pw() + v * g.dw();
                    if (r < 0 || r >= g.h() || q < 0 || q >= g.w()) continue;
                    s += x[((n * g.c() + grp * cg + ci) * g.h() + r) * g.w() + q] * w[((o * cg + ci) * g.kh() + u) * g.kw() + v];
                }
                y[((n * g.o() + o) * oh + i) * ow + j] = s;
            }
        }
    }

    /** dx = d(sum y*gy)/dx, and dw likewise; either may be null to skip it (then w, or x, is not read). dx and dw are overwritten. */
    public static void backward(ConvGeometry g, double[] x, double[] w, double[] gy, double[] dx, double[] dw) {
        int oh = g.oh(), ow = g.ow(), cg = g.cg(), og = g.og();
        if (dx != null) java.util.Arrays.fill(dx, 0);
        if (dw != null) java.util.Arrays.fill(dw, 0);
        for (int n = 0; n < g.n(); n++) for (int o = 0; o < g.o(); o++) {
            int grp = o / og;
            for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                double gv = gy[((n * g.o() + o) * oh + i) * ow + j];
                for (int ci = 0; ci < cg; ci++) for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                    int r = i * g.sh() - g.ph() + u * g.dh(), q = j * g.sw() - g.pw() + v * g.dw();
                    if (r < 0 || r >= g.h() || q < 0 || q >= g.w()) continue;
                    int xi = ((n * g.c() + grp * cg + ci) * g.h() + r) * g.w() + q, wi = ((o * cg + ci) * g.kh() + u) * g.kw() + v;
                    if (dx != null) dx[xi] += gv * w[wi];
                    if (dw != null) dw[wi] += gv * x[xi];
                }
            }
        }
    }

    /** Max pooling (window kh x kw of geometry g with o == c, groups == c); padding never wins. Returns argmax input indices. */
    public static int[] maxPool(ConvGeometry g, double[] x, double[] y) {
        int oh = g.oh(), ow = g.ow();
        int[] arg = new int[g.n() * g.c() * oh * ow];
        for (int nc = 0; nc < g.n() * g.c(); nc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double best = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                int r = i * g.sh() - g.ph() + u * g.dh(), q = j * g.sw() - g.pw() + v * g.dw();
                if (r < 0 || r >= g.h() || q < 0 || q >= g.w()) continue;
                int xi = (nc * g.h() + r) * g.w() + q;
                if (at < 0 || x[xi] > best || (Double.isNaN(x[xi]) && !Double.isNaN(best))) {
                    best = x[xi];
                    at = xi;
                }
            }
            int yi = (nc * oh + i) * ow + j;
            y[yi] = best;
            arg[yi] = at;
        }
        return arg;
    }

    /** Average pooling; with {@code countPad} the divisor is always kh*kw, else only in-bounds taps count. */
    public static void avgPool(ConvGeometry g, double[] x, double[] y, boolean countPad) {
        int oh = g.oh(), ow = g.ow();
        for (int nc = 0; nc < g.n() * g.c(); nc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double s = 0;
            int cnt = 0;
            for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                int r = i * g.sh() - g.ph() + u, q = j * g.sw() - g.pw() + v;
                if (r < 0 || r >= g.h() || q < 0 || q >= g.w()) continue;
                s += x[(nc * g.h() + r) * g.w() + q];
                cnt++;
            }
            y[(nc * oh + i) * ow + j] = s / (countPad ? g.kh() * g.kw() : Math.max(1, cnt));
        }
    }

    /** Gradient of {@link #avgPool}: each output's gradient spread evenly over its window. */
    public static void avgPoolBackward(ConvGeometry g, double[] gy, double[] dx, boolean countPad) {
        int oh = g.oh(), ow = g.ow();
        java.util.Arrays.fill(dx, 0);
        for (int nc = 0; nc < g.n() * g.c(); nc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            int cnt = 0;
            for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                int r = i * g.sh() - g.ph() + u, q = j * g.sw() - g.pw() + v;
                if (r >= 0 && r < g.h() && q >= 0 && q < g.w()) cnt++;
            }
            double share = gy[(nc * oh + i) * ow + j] / (countPad ? g.kh() * g.kw() : Math.max(1, cnt));
            for (int u = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) {
                int r = i * g.sh() - g.ph() + u, q = j * g.sw() - g.pw() + v;
                if (r >= 0 && r < g.h() && q >= 0 && q < g.w()) dx[(nc * g.h() + r) * g.w() + q] += share;
            }
        }
    }
}
