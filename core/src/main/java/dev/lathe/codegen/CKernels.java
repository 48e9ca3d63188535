package dev.lathe.codegen;

/**
 * The C99 kernels a generated model calls, one text per kernel (only the ones a model uses are
 * written: -Wunused-function). Plain loops over a static arena: no malloc, no recursion, no VLAs;
 * int8 arithmetic is the Java runtime's ({@code Int8.requantize}) written in portable C.
 */
final class CKernels {
    private CKernels() {}

    static final String CONV_F32 = """
            static void conv_f32(const float *x, int c, int h, int w, const float *k, const float *b, int o, int kh, int kw,
                                 int sh, int sw, int ph, int pw, int dh, int dw, int groups, int oh, int ow, int act, float *y) {
                int og = o / groups, cg = c / groups, oc, i, j, ci, u, v;
                for (oc = 0; oc < o; oc++) {
                    int g = oc / og;
                    for (i = 0; i < oh; i++) {
                        for (j = 0; j < ow; j++) {
                            float s = b ? b[oc] : 0.0f;
                            for (ci = 0; ci < cg; ci++) {
                                const float *xc = x + (long)(g * cg + ci) * h * w, *kc = k + ((long)oc * cg + ci) * kh * kw;
                                for (u = 0; u < kh; u++) {
                                    int r = i * sh - ph + u * dh;
                                    if (r < 0 || r >= h) continue;
                                    for (v = 0; v < kw; v++) {
                                        int q = j * sw - pw + v * dw;
                                        if (q >= 0 && q < w) s += xc[r * w + q] * kc[u * kw + v];
                                    }
                                }
                            }
                            if (act >= 1 && s < 0.0f) s = 0.0f;
                            if (act == 2 && s > 6.0f) s = 6.0f;
                            y[((long)oc * oh + i) * ow + j] = s;
                        }
                    }
                }
            }
            """;

    static final String LINEAR_F32 = """
            static void linear_f32(const float *x, int in, const float *wt, const float *b, int out, int act, float *y) {
                int o, p;
                for (o = 0; o < out; o++) {
                    float s = b ? b[o] : 0.0f;
                    const float *row = wt + (long)o * in;
                    for (p = 0; p < in; p++) s += x[p] * row[p];
                    if (act >= 1 && s < 0.0f) s = 0.0f;
                    if (act == 2 && s > 6.0f) s = 6.0f;
                    y[o] = s;
                }
            }
            """;

    static final String MAXPOOL_F32 = """
            static void maxpool_f32(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow, float *y) {
                int ch, i, j, u, v;
                for (ch = 0; ch < c; ch++)
                    for (i = 0; i < oh; i++)
                        for (j = 0; j < ow; j++) {
                            float m = -3.402823466e38f;
                            int seen = 0;
                            for (u = 0; u < kh; u++) {
                                int r = i * sh - ph + u;
                                if (r < 0 || r >= h) continue;
                                for (v = 0; v < kw; v++) {
                                    int q = j * sw - pw + v;
                                    if (q < 0 || q >= w) continue;
                                    if (!seen || x[((long)ch * h + r) * w + q] > m) m = x[((long)ch * h + r) * w + q];
                                    seen = 1;
                                }
                            }
                            y[((long)ch * oh + i) * ow + j] = m;
                        }
            }
            """;

    static final String AVGPOOL_F32 = """
            static void avgpool_f32(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow, int count_pad, float *y) {
                int ch, i, j, u, v;
                for (ch = 0; ch < c; ch++)
                    for (i = 0; i < oh; i++)
                        for (j = 0; j < ow; j++) {
                            float s = 0.0f;
                            int n = 0;
                            for (u = 0; u < kh; u++) {
                                int r = i * sh - ph + u;
                                for (v = 0; v < kw; v++) {
                                    int q = j * sw - pw + v;
                                    if (r < 0 || r >= h || q < 0 || q >= w) { if (count_pad) n++; continue; }
                                    s += x[((long)ch * h + r) * w + q];
                                    n++;
                                }
                            }
                            y[((long)ch * oh + i) * ow + j] = n ? s / (float)n : 0.0f;
                        }
            }
            """;

    static final String ACT_F32 = """
            static void act_f32(const float *x, long n, int kind, float slope, float *y) {
                long i;
                for (i = 0; i < n; i++) {
                    float v = x[i];
                    switch (kind) {
                        case 1: v = v > 0.0f ? v : 0.0f; break;
                        case 2: v = v > 0.0f ? (v < 6.0f ? v : 6.0f) : 0.0f; break;
                        case 3: v = v > 0.0f ? v : slope * v; break;
                        case 4: v = 1.0f / (1.0f + expf(-v)); break;
                        case 5: v = tanhf(v); break;
                        default: break;
                    }
                    y[i] = v;
                }
            }
            """;

    static final String SOFTMAX_F32 = """
            static void softmax_f32(const float *x, int rows, int cls, int log_out, float *y) {
                int r, k;
                for (r = 0; r < rows; r++) {
                    const float *xr = x + (long)r * cls;
                    float m = xr[0];
                    double s = 0.0;
                    for (k = 1; k < cls; k++) if (xr[k] > m) m = xr[k];
                    for (k = 0; k < cls; k++) s += exp((double)(xr[k] - m));
                    for (k = 0; k < cls; k++) {
                        double z = (double)(xr[k] - m);
                        y[(long)r * cls + k] = log_out ? (float)(z - log(s)) : (float)(exp(z) / s);
                    }
                }
            }
            """;

    static final String BN_F32 = """
            static void bn_f32(const float *x, int c, long hw, const float *scale, const float *shift, float *y) {
                int k;
                long i;
                for (k = 0; k < c; k++) for (i = 0; i < hw; i++) y[k * hw + i] = x[k * hw + i] * scale[k] + shift[k];
            }
            """;

    static final String RESIZE_F32 = """
            static void resize_axis(int i, int in, int scale, int bilinear, int *lo, int *hi, float *frac) {
                double src;
                if (!bilinear) { *lo = *hi = i / scale; *frac = 0.0f; return; }
                src = (i + 0.5) / scale - 0.5;
                if (src < 0) src = 0;
                *lo = (int)src;
                if (*lo > in - 1) *lo = in - 1;
                *hi = *lo + 1 < in ? *lo + 1 : in - 1;
                *frac = (float)(src - *lo);
            }
            static void resize_f32(const float *x, int c, int h, int w, int sh, int sw, int bilinear, float *y) {
                int oh = h * sh, ow = w * sw, ch, i, j, r0, r1, c0, c1;
                float fh, fw;
                for (ch = 0; ch < c; ch++) {
                    const float *xp = x + (long)ch * h * w;
                    float *yp = y + (long)ch * oh * ow;
                    for (i = 0; i < oh; i++) {
                        resize_axis(i, h, sh, bilinear, &r0, &r1, &fh);
                        for (j = 0; j < ow; j++) {
                            float top, bottom;
                            resize_axis(j, w, sw, bilinear, &c0, &c1, &fw);
                            if (!bilinear) { yp[i * ow + j] = xp[r0 * w + c0]; continue; }
                            top = xp[r0 * w + c0] + fw * (xp[r0 * w + c1] - xp[r0 * w + c0]);
                            bottom = xp[r1 * w + c0] + fw * (xp[r1 * w + c1] - xp[r1 * w + c0]);
                            yp[i * ow + j] = top + fh * (bottom - top);
                        }
                    }
                }
            }
            """;

    static final String CONVT_F32 = """
            static void convt_f32(const float *x, int cin, int h, int w, const float *k, const float *b, int cout, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int groups, int oh, int ow, float *y) {
                int cig = cin / groups, cog = cout / groups, ci, co, i, j, u, v;
                long n = (long)cout * oh * ow, t;
                for (t = 0; t < n; t++) y[t] = 0.0f;
                for (ci = 0; ci < cin; ci++) {
                    int g = ci / cig;
                    for (i = 0; i < h; i++) {
                        for (j = 0; j < w; j++) {
                            float xv = x[((long)ci * h + i) * w + j];
                            for (co = 0; co < cog; co++) {
                                const float *kc = k + ((long)ci * cog + co) * kh * kw;
                                float *yc = y + (long)(g * cog + co) * oh * ow;
                                for (u = 0; u < kh; u++) {
                                    int r = i * sh - ph + u;
                                    if (r < 0 || r >= oh) continue;
                                    for (v = 0; v < kw; v++) {
                                        int q = j * sw - pw + v;
                                        if (q >= 0 && q < ow) yc[r * ow + q] += xv * kc[u * kw + v];
                                    }
                                }
                            }
                        }
                    }
                }
                if (b) for (co = 0; co < cout; co++) for (t = 0; t < (long)oh * ow; t++) y[co * (long)oh * ow + t] += b[co];
            }
            """;

    static final String PAD_F32 = """
            static void pad_f32(const float *x, int c, int h, int w, int top, int left, int bottom, int right, float *y) {
                int oh = h + top + bottom, ow = w + left + right, ch, i;
                long n = (long)c * oh * ow, t;
                for (t = 0; t < n; t++) y[t] = 0.0f;
                for (ch = 0; ch < c; ch++) for (i = 0; i < h; i++) memmove(y + ((long)ch * oh + i + top) * ow + left, x + ((long)ch * h + i) * w, sizeof(float) * w);
            }
            """;

    static final String TRANSPOSE4_F32 = """
            static void transpose4_f32(const float *x, const int *dims, const int *perm, float *y) {
                int stride[4], od[4], i[4];
                long n = 0;
                stride[3] = 1;
                stride[2] = dims[3];
                stride[1] = dims[2] * dims[3];
                stride[0] = dims[1] * dims[2] * dims[3];
                for (i[0] = 0; i[0] < 4; i[0]++) od[i[0]] = dims[perm[i[0]]];
                for (i[0] = 0; i[0] < od[0]; i[0]++)
                    for (i[1] = 0; i[1] < od[1]; i[1]++)
                        for (i[2] = 0; i[2] < od[2]; i[2]++)
                            for (i[3] = 0; i[3] < od[3]; i[3]++)
                                y[n++] = x[i[0] * stride[perm[0]] + i[1] * stride[perm[1]] + i[2] * stride[perm[2]] + i[3] * stride[perm[3]]];
            }
            """;

    static final String ADD_F32 = """
            static void add_f32(const float *a, const float *b, long n, float *y) {
                long i;
                for (i = 0; i < n; i++) y[i] = a[i] + b[i];
            }
            """;

    // ---- int8 ----

    static final String REQUANT = """
            /* (acc * m0 + 2^(r-1)) >> r with an arithmetic (floor) shift, written without right-shifting a negative value */
            static int32_t requant(int32_t acc, int32_t m0, int r, int32_t zp, int32_t lo, int32_t hi) {
                int64_t p = (int64_t)acc * m0 + ((int64_t)1 << (r - 1));
                int64_t v = p >= 0 ? p >> r : -((-p - 1) >> r) - 1;
                v += zp;
                return (int32_t)(v < lo ? lo : v > hi ? hi : v);
            }
            """;

    static final String QUANTIZE = """
            /* round half to even, as Java's Math.rint and ONNX QuantizeLinear */
            static int32_t round_even(float t) {
                int32_t i;
                float f;
                if (t > 1000.0f) return 1000;
                if (t < -1000.0f) return -1000;
                i = (int32_t)t;
                f = t - (float)i;
                if (f > 0.5f || (f == 0.5f && (i & 1))) i++;
                else if (f < -0.5f || (f == -0.5f && (i & 1))) i--;
                return i;
            }

            static void quantize_s8(const float *x, long n, float scale, int32_t zp, int8_t *q) {
                long i;
                for (i = 0; i < n; i++) {
                    int32_t v = round_even(x[i] / scale) + zp;
                    q[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                }
            }
            """;

    static final String CONV_S8 = """
            static int32_t conv_acc_s8(const int8_t *x, int32_t zpi, int cg, int h, int w, const int8_t *kc, int kh, int kw, int r0, int q0, int dh, int dw) {
                int32_t s = 0;
                int ci, u, v;
                for (ci = 0; ci < cg; ci++) {
                    const int8_t *xc = x + (long)ci * h * w, *kk = kc + (long)ci * kh * kw;
                    for (u = 0; u < kh; u++) {
                        int r = r0 + u * dh;
                        if (r < 0 || r >= h) continue;
                        for (v = 0; v < kw; v++) {
                            int q = q0 + v * dw;
                            if (q >= 0 && q < w) s += ((int32_t)xc[r * w + q] - zpi) * kk[u * kw + v];
                        }
                    }
                }
                return s;
            }

            /* an int8 convolution (groups: 1 dense, c depthwise); with pk > 0 a max pool (pk x pk, stride ps, padding pp) over the accumulators before requantization */
            static void conv_s8(const int8_t *x0, int32_t zpi, int c, int h, int w, int groups, const int8_t *k, const int32_t *bias, const int32_t *m0, const int8_t *sh,
                                int o, int kh, int kw, int sy, int sx, int ph, int pw, int dh, int dw, int oh, int ow,
                                int pk, int ps, int pp, int poh, int pow_, int32_t zpo, int32_t lo, int32_t hi, int8_t *y) {
                int oc, i, j, u, v, cg = c / groups, og = o / groups;
                for (oc = 0; oc < o; oc++) {
                    const int8_t *kc = k + (long)oc * cg * kh * kw, *x = x0 + (long)(oc / og) * cg * h * w;
                    if (pk == 0) {
                        for (i = 0; i < oh; i++)
                            for (j = 0; j < ow; j++)
                                y[((long)oc * oh + i) * ow + j] = (int8_t)requant(conv_acc_s8(x, zpi, cg, h, w, kc, kh, kw, i * sy - ph, j * sx - pw, dh, dw) + bias[oc], m0[oc], sh[oc], zpo, lo, hi);
                        continue;
                    }
                    for (i = 0; i < poh; i++)
                        for (j = 0; j < pow_; j++) {
                            int32_t best = INT32_MIN;
                            for (u = 0; u < pk; u++) {
                                int ci = i * ps - pp + u;
                                if (ci < 0 || ci >= oh) continue;
                                for (v = 0; v < pk; v++) {
                                    int cj = j * ps - pp + v;
                                    int32_t a;
                                    if (cj < 0 || cj >= ow) continue;
                                    a = conv_acc_s8(x, zpi, cg, h, w, kc, kh, kw, ci * sy - ph, cj * sx - pw, dh, dw);
                                    if (a > best) best = a;
                                }
                            }
                            y[((long)oc * poh + i) * pow_ + j] = (int8_t)requant(best + bias[oc], m0[oc], sh[oc], zpo, lo, hi);
                        }
                }
            }
            """;

    static final String LINEAR_S8 = """
            static void linear_s8(const int8_t *x, int32_t zpi, int in, const int8_t *wt, const int32_t *bias, const int32_t *m0, const int8_t *sh,
                                  int out, int32_t zpo, int32_t lo, int32_t hi, int8_t *y) {
                int o, p;
                for (o = 0; o < out; o++) {
                    const int8_t *row = wt + (long)o * in;
                    int32_t s = 0;
                    for (p = 0; p < in; p++) s += ((int32_t)x[p] - zpi) * row[p];
                    y[o] = (int8_t)requant(s + bias[o], m0[o], sh[o], zpo, lo, hi);
                }
            }
            """;

    static final String MAXPOOL_S8 = """
            static void maxpool_s8(const int8_t *x, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow, int8_t *y) {
                int ch, i, j, u, v;
                for (ch = 0; ch < c; ch++)
                    for (i = 0; i < oh; i++)
                        for (j = 0; j < ow; j++) {
                            int m = -128;
                            for (u = 0; u < kh; u++) {
                                int r = i * sh - ph + u;
                                if (r < 0 || r >= h) continue;
                                for (v = 0; v < kw; v++) {
                                    int q = j * sw - pw + v;
                                    if (q >= 0 && q < w && x[((long)ch * h + r) * w + q] > m) m = x[((long)ch * h + r) * w + q];
                                }
                            }
                            y[((long)ch * oh + i) * ow + j] = (int8_t)m;
                        }
            }
            """;

    static final String ADD_S8 = """
            /* the int8 add: both inputs to the output scale by integer multipliers over 2^r, one rounding (floor shift of the biased sum) */
            static void add_s8(const int8_t *a, int32_t zpa, int32_t ma, const int8_t *b, int32_t zpb, int32_t mb, int r, int32_t zpo, long n, int8_t *y) {
                long i;
                for (i = 0; i < n; i++) {
                    int64_t p = (int64_t)((int32_t)a[i] - zpa) * ma + (int64_t)((int32_t)b[i] - zpb) * mb + ((int64_t)1 << (r - 1));
                    int64_t v = (p >= 0 ? p >> r : -((-p - 1) >> r) - 1) + zpo;
                    y[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                }
            }
            """;

    static final String GAP_S8 = """
            static void gap_s8(const int8_t *x, int c, long hw, int32_t zpi, int32_t m0, int r, int32_t zpo, int8_t *y) {
                int ch;
                long i;
                for (ch = 0; ch < c; ch++) {
                    int32_t s = 0;
                    for (i = 0; i < hw; i++) s += (int32_t)x[ch * hw + i] - zpi;
                    y[ch] = (int8_t)requant(s, m0, r, zpo, -128, 127);
                }
            }
            """;

    static final String CLAMP_S8 = """
            static void clamp_s8(const int8_t *x, long n, int lo, int hi, int8_t *y) {
                long i;
                for (i = 0; i < n; i++) y[i] = (int8_t)(x[i] < lo ? lo : x[i] > hi ? hi : x[i]);
            }
            """;
}
