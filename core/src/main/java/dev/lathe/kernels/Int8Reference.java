package dev.lathe.kernels;

/** Scalar twins of {@link Int8}'s kernels and a naive int8 convolution: the test oracles, in plain integer loops. */
public final class Int8Reference {
    private Int8Reference() {}

    public static void matVec(byte[] x, int xo, byte[] w, int wo, int k, int rows, int[] out, int oo) {
        for (int j = 0; j < rows; j++) {
            int s = 0;
            for (int p = 0; p < k; p++) s += x[xo + p] * w[wo + j * k + p];
            out[oo + j] = s;
        }
    }

    /**
     * int32 accumulators of a convolution of int8 input (zero point zpIn: padding holds the real
     * zero) with int8 weights [o, c/groups, kh, kw], batch 1, without bias.
     */
    public static int[] conv(ConvGeometry g, byte[] x, int xo, int zpIn, byte[] w) {
        int[] acc = new int[g.o() * g.oh() * g.ow()];
        int og = g.og(), cg = g.cg();
        for (int o = 0; o < g.o(); o++) {
            int grp = o / og;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    int s = 0;
                    for (int c = 0; c < cg; c++) {
                        for (int u = 0; u < g.kh(); u++) {
                            for (int v = 0; v < g.kw(); v++) {
                                int r = i * g.sh() - g.ph() + u * g.dh(), q = j * g.sw() - g.pw() + v * g.dw();
                                int xv = r < 0 || r >= g.h() || q < 0 || q >= g.w() ? 0 : x[xo + ((grp * cg + c) * g.h() + r) * g.w() + q] - zpIn;
                                s += xv * w[((o * cg + c) * g.kh() + u) * g.kw() + v];
                            }
                        }
                    }
                    acc[(o * g.oh() + i) * g.ow() + j] = s;
                }
            }
        }
        return acc;
    }
}
