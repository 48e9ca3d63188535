package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, C = alpha * A * B + beta * C, in the Goto/BLIS structure: B is packed in
 * KC x NC blocks (L2), A in MR-row panels (L1), and an MR x NR register tile of FMAs does the work.
 * Any strides for A and B, so transposed operands need no copy; C is row-major. Large products are
 * split over the {@link Parallel} pool by rows or columns of C, each part packing its own panels.
 */
public final class Gemm {
    private Gemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Register tile width: 2 vectors of columns (32 on AVX-512); its height and the cache blocks are the {@link GemmBlocking} in force. */
    static final int NR = 2 * L;

    /**
     * The blocking in force: this host's ({@link GemmBlocking#forThisHost}) until a measured one is set
     * ({@link #useBlocking}: the CLI loads the tuned blocking cached for this host). Read once per call, so a
     * change applies from the next call; no blocking changes any result's bits.
     */
    private static volatile GemmBlocking active = GemmBlocking.forThisHost();

    /** The blocking the next call will use. */
    public static GemmBlocking blocking() { return active; }

    /** Use this blocking from the next call on (a measured one: see {@code GemmTuner}). */
    public static void useBlocking(GemmBlocking b) { active = java.util.Objects.requireNonNull(b, "blocking"); }

    /** Below this many multiply-adds packing costs more than it saves. */
    static final long SMALL = 16 * 16 * 16;
    /** Below this many multiply-adds a second thread costs more than it saves (training-sized products). */
    static final long PARALLEL_MIN = 1L << 20;
    /**
     * The same for pre-packed (inference) products, run one after another at batch 1 with little
     * else to hide a hand-off behind. Measured (2 threads): 1M split the Fashion CNN's 3.6M-MAC conv2
     * and made it slower (58 -> 80 us; CNN 0.110 ms), 4M keeps it whole (0.094 ms) while MobileNetV2
     * still splits its larger layers (7.9 -> 7.2 ms). For training products 4M cost the MLP 8%
     * (98,000 -> 90,000 samples/s), so they keep 1M.
     */
    static final long PARALLEL_MIN_PACKED = 1L << 22;
    /**
     * A memory-bound matrix-vector product (each weight read once) pays for a second thread from far
     * fewer multiply-adds: each core then streams half the weights from its own L2. At 128K the
     * Fashion MLP's 784 -> 256 layer (200K) stayed on one thread (2 threads 0.032 ms, as 1); at 64K it
     * splits (0.023-0.027 ms against 0.033-0.038 on 1 thread).
     */
    static final long PARALLEL_MIN_STREAM = 1L << 16;

    /** Read-only zeros the size of one register tile: the starting accumulators of a fresh tile. */
    private static final float[] ZERO_TILE = new float[2 * L];

    private static final ThreadLocal<float[]> DOT4 = ThreadLocal.withInitial(() -> new float[4]);

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** A thread's packing buffers, grown to the blocking in use. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0];
        final float[] tile = new float[GemmBlocking.MR_MAX * NR];

        Buffers fit(GemmBlocking bk) {
            int kmax = bk.kcMax();
            if (a.length < bk.mc() * kmax) a = new float[bk.mc() * kmax];
            if (b.length < kmax * bk.nc()) b = new float[kmax * bk.nc()];
            return this;
        }
    }

    /** C = alpha * A * B + beta * C with A(i,p) = a[ao + i*ars + p*acs], B(p,j) = b[bo + p*brs + j*bcs]. */
    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float beta, float[] c, int co, int ldc) {
        sgemm(m, n, k, alpha, a, ao, ars, acs, b, bo, brs, bcs, beta, c, co, ldc, Epilogue.IDENTITY);
    }

    /** As above, then C = activation(C + bias) per the epilogue, applied to each part of C as it is finished. */
    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float beta, float[] c, int co, int ldc, Epilogue ep) {
        if (m == 0 || n == 0) return;
        if (Kernels.SCALAR || (long) m * n * k < SMALL) {
            GemmReference.sgemm(m, n, k, alpha, a, ao, ars, acs, b, bo, brs, bcs, beta, c, co, ldc);
            ep.apply(c, co, ldc, 0, m, 0, n);
            return;
        }
        if (m == 1 && brs == 1 && acs == 1 && k >= L) {
            rowTimesColumns(n, k, alpha, a, ao, b, bo, bcs, beta, c, co);
            ep.apply(c, co, ldc, 0, 1, 0, n);
            return;
        }
        if (k == 0 || alpha == 0) {
            scaleC(m, n, beta, c, co, ldc);
            ep.apply(c, co, ldc, 0, m, 0, n);
            return;
        }
        product(m, n, k, alpha, null, a, ao, ars, acs, b, bo, brs, bcs, beta, c, co, ldc, ep, PARALLEL_MIN, active);
    }

    /** C = A * B (row-major, contiguous) through the packed path with a given blocking, split over the pool as any product: the tuner's entry. */
    static void sgemmWith(GemmBlocking bk, int m, int n, int k, float[] a, float[] b, float[] c) {
        product(m, n, k, 1f, null, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.IDENTITY, PARALLEL_MIN, bk);
    }

    /** C = A * B (row-major, contiguous) through the packed path with a given blocking on the calling thread: the tuner's and the tests' entry. */
    static void sgemmOneThread(GemmBlocking bk, int m, int n, int k, float[] a, float[] b, float[] c) {
        blocked(bk, m, n, k, 1f, null, a, 0, k, 1, b, 0, n, 1, c, 0, n, 0, 0, true, Epilogue.IDENTITY);
    }

    /**
     * The packed product of both entry points (A packed per call, or pre-packed in {@code pa}): one
     * part on one thread when small, else the larger side of C split in whole tiles so each part is
     * one independent GEMM. With beta = 0 the first K block's tiles start from zero instead of a
     * zero-filled C (no fill, no load).
     */
    private static void product(int m, int n, int k, float alpha, PackedA pa, float[] a, int ao, int ars, int acs,
                                float[] b, int bo, int brs, int bcs, float beta, float[] c, int co, int ldc, Epilogue ep, long parallelMin, GemmBlocking bk) {
        boolean overwrite = beta == 0;
        if (!overwrite) scaleC(m, n, beta, c, co, ldc);
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < parallelMin) {
            blocked(bk, m, n, k, alpha, pa, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, 0, 0, overwrite, ep);
            return;
        }
        boolean byRows = m >= n;
        int unit = byRows ? bk.mr() : NR, extent = byRows ? m : n;
        int tiles = (extent + unit - 1) / unit;
        int parts = Math.min(threads, tiles);
        Runnable[] jobs = new Runnable[parts];
        for (int t = 0; t < parts; t++) {
            int from = Math.min(extent, tiles * t / parts * unit), to = Math.min(extent, tiles * (t + 1) / parts * unit);
            jobs[t] = byRows
                    ? () -> blocked(bk, to - from, n, k, alpha, pa, a, ao + from * ars, ars, acs, b, bo, brs, bcs, c, co, ldc, from, 0, overwrite, ep)
                    : () -> blocked(bk, m, to - from, k, alpha, pa, a, ao, ars, acs, b, bo + from * bcs, brs, bcs, c, co, ldc, 0, from, overwrite, ep);
        }
        Parallel.run(jobs);
    }

    /**
     * A matrix A packed once into the micro-kernel's MR-row panels for every KC block, for a GEMM
     * whose A never changes (inference weights: W of Y = W X). Packing A on every call cost as much
     * as 40% of a pointwise convolution on a 7x7 map, where each weight is used only 49 times.
     * Keeps the source too, for the shapes that take the unpacked paths, and the blocking its panels were packed for.
     */
    public static final class PackedA {
        final int m, k, mPad;
        final float[] panels, src;
        final int ao, ars, acs;
        final GemmBlocking bk;

        private PackedA(int m, int k, float[] a, int ao, int ars, int acs) {
            this.bk = active;
            this.m = m;
            this.k = k;
            this.mPad = (m + bk.mr() - 1) / bk.mr() * bk.mr();
            this.src = a;
            this.ao = ao;
            this.ars = ars;
            this.acs = acs;
            this.panels = new float[mPad * k];
            for (int pc = 0; pc < k; pc += bk.kcStep(k)) {
                int kc = bk.kcAt(k, pc);
                packA(bk.mr(), m, kc, 1f, a, ao + pc * acs, ars, acs, panels, pc * mPad);
            }
        }

        /** Offset of the panels of rows [row, row + MR) in the K block starting at pc (row a multiple of MR). */
        int offset(int pc, int row) { return pc * mPad + row * bk.kcAt(k, pc); }
    }

    /** Packs A[m, k] (A(i,p) = a[ao + i*ars + p*acs]) for {@link #sgemm(PackedA, int, float[], int, int, int, float, float[], int, int, Epilogue)}. */
    public static PackedA pack(int m, int k, float[] a, int ao, int ars, int acs) { return new PackedA(m, k, a, ao, ars, acs); }

    /** C = A * B + beta * C, then the epilogue, with A pre-packed. */
    public static void sgemm(PackedA pa, int n, float[] b, int bo, int brs, int bcs, float beta, float[] c, int co, int ldc, Epilogue ep) {
        int m = pa.m, k = pa.k;
        if (m == 0 || n == 0) return;
        if (Kernels.SCALAR || (long) m * n * k < SMALL || (m == 1 && brs == 1 && pa.acs == 1 && k >= L) || k == 0) {
            sgemm(m, n, k, 1f, pa.src, pa.ao, pa.ars, pa.acs, b, bo, brs, bcs, beta, c, co, ldc, ep);
            return;
        }
        product(m, n, k, 1f, pa, null, 0, 0, 0, b, bo, brs, bcs, beta, c, co, ldc, ep, PARALLEL_MIN_PACKED, pa.bk);
    }

    /**
     * One row of A times B whose columns are contiguous (B = W^T for a [n, k] weight): a dot product
     * per output, no packing. Batch-1 inference (a dense layer on one sample) is this shape, where
     * packing B every call cost more than the multiply-adds. Split over the pool when large.
     */
    private static void rowTimesColumns(int n, int k, float alpha, float[] a, int ao, float[] b, int bo, int bcs, float beta, float[] c, int co) {
        // memory-bound (each weight read once): worth a second thread from far fewer multiply-adds than a GEMM
        Parallel.forRange((n + 3) / 4, 4L * k, PARALLEL_MIN_STREAM, (from4, to4) -> {
            int from = from4 * 4, to = Math.min(n, to4 * 4);
            float[] d4 = DOT4.get();
            int j = from;
            for (; j + 4 <= to; j += 4) {
                VectorMath.dot4(a, ao, b, bo + j * bcs, bcs, k, d4, 0);
                for (int t = 0; t < 4; t++) c[co + j + t] = beta == 0 ? alpha * d4[t] : beta * c[co + j + t] + alpha * d4[t];
            }
            for (; j < to; j++) {
                float d = VectorMath.dot(a, ao, b, bo + j * bcs, 0, k);
                c[co + j] = beta == 0 ? alpha * d : beta * c[co + j] + alpha * d;
            }
        });
    }

    private static void scaleC(int m, int n, float beta, float[] c, int co, int ldc) {
        if (beta == 1) return;
        for (int i = 0; i < m; i++) {
            int r = co + i * ldc;
            if (beta == 0) java.util.Arrays.fill(c, r, r + n, 0f);
            else for (int j = 0; j < n; j++) c[r + j] *= beta;
        }
    }

    /**
     * One part of C, at rows [r0, r0+m) and columns [c0, c0+n) of the C based at cBase: packed blocks
     * and tiles. With {@code overwrite} the first K block's tiles start from zero (C's old contents are
     * never read). The epilogue runs on each NC-column block as soon as its last K block is done,
     * while the block (MC x NC at most) is still in L2, not as a pass over the whole output. With a
     * pre-packed A ({@code pa} non-null) its panels are read in place (rows from r0) and a is unused.
     */
    private static void blocked(GemmBlocking bk, int m, int n, int k, float alpha, PackedA pa,
                                float[] a, int ao, int ars, int acs,
                                float[] b, int bo, int brs, int bcs,
                                float[] c, int cBase, int ldc, int r0, int c0, boolean overwrite, Epilogue ep) {
        Buffers buf = BUFFERS.get().fit(bk);
        int co = cBase + r0 * ldc + c0, MR = bk.mr(), NC = bk.nc(), MC = bk.mc();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += bk.kcStep(k)) {
                int kc = bk.kcAt(k, pc);
                boolean fresh = overwrite && pc == 0;
                packB(kc, nc, b, bo + pc * brs + jc * bcs, brs, bcs, buf.b);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    float[] ap = buf.a;
                    int aBase = 0;
                    if (pa != null) {
                        ap = pa.panels;
                        aBase = pa.offset(pc, r0 + ic);
                    } else {
                        packA(MR, mc, kc, alpha, a, ao + ic * ars + pc * acs, ars, acs, buf.a, 0);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        for (int ir = 0; ir < mc; ir += MR) {
                            int cOff = co + (ic + ir) * ldc + jc + jr;
                            tile(MR, kc, ap, aBase + ir * kc, buf.b, jr * kc, c, cOff, ldc, Math.min(MR, mc - ir), Math.min(NR, nc - jr), buf.tile, fresh);
                        }
                    }
                }
            }
            ep.apply(c, cBase, ldc, r0, m, c0 + jc, nc);
        }
    }

    /** Packs alpha * A[0:mc, 0:kc] into MR-row panels, k-major inside a panel, zero-padded to MR rows. */
    static void packA(int MR, int mc, int kc, float alpha, float[] a, int ao, int ars, int acs, float[] dst, int dstOff) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), base = dstOff + ir * kc;
            if (acs == 1) {
                // rows of A are contiguous: read each row along k, write with stride MR
                for (int i = 0; i < rows; i++) {
                    int src = ao + (ir + i) * ars;
                    for (int p = 0; p < kc; p++) dst[base + p * MR + i] = alpha * a[src + p];
                }
                for (int i = rows; i < MR; i++) for (int p = 0; p < kc; p++) dst[base + p * MR + i] = 0f;
            } else {
                for (int p = 0; p < kc; p++) {
                    int d = base + p * MR, src = ao + ir * ars + p * acs;
                    for (int i = 0; i < rows; i++) dst[d + i] = alpha * a[src + i * ars];
                    for (int i = rows; i < MR; i++) dst[d + i] = 0f;
                }
            }
        }
    }

    /** Packs B[0:kc, 0:nc] into NR-column panels, k-major inside a panel, zero-padded to NR columns. */
    static void packB(int kc, int nc, float[] b, int bo, int brs, int bcs, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr), base = jr * kc;
            if (brs == 1 && bcs != 1) {
                // B is a transposed view (columns contiguous): read each column along k, write with stride NR
                for (int j = 0; j < cols; j++) {
                    int src = bo + (jr + j) * bcs;
                    for (int p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
                }
                for (int j = cols; j < NR; j++) for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                continue;
            }
            for (int p = 0; p < kc; p++) {
                int d = base + p * NR, src = bo + p * brs + jr * bcs;
                if (bcs == 1 && cols == NR) {
                    System.arraycopy(b, src, dst, d, NR);
                } else {
                    for (int j = 0; j < cols; j++) dst[d + j] = b[src + j * bcs];
                    for (int j = cols; j < NR; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    /**
     * C[0:mr, 0:nr] += Apanel * Bpanel over kc steps with a tile of MR rows. Edge tiles (mr < MR or nr < NR) run the
     * full tile on an MR x NR scratch tile that starts from C's existing part (zero elsewhere, and zero when fresh) and
     * copy that part back: every element of C stays one FMA chain over k across the K blocks, as in a full tile, so
     * no choice of KC changes a bit (summing each block from zero and adding it to C did).
     */
    static void tile(int MR, int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, int mr, int nr, float[] spill, boolean fresh) {
        if (mr == MR && nr == NR) {
            fullTile(MR, kc, ap, aOff, bp, bOff, c, cOff, ldc, fresh);
            return;
        }
        java.util.Arrays.fill(spill, 0, MR * NR, 0f);
        if (!fresh) for (int i = 0; i < mr; i++) System.arraycopy(c, cOff + i * ldc, spill, i * NR, nr);
        fullTile(MR, kc, ap, aOff, bp, bOff, spill, 0, NR, false);
        for (int i = 0; i < mr; i++) System.arraycopy(spill, i * NR, c, cOff + i * ldc, nr);
    }

    /** The MR-row micro-kernel ({@link GemmBlocking#TILE_ROWS}): one method per height, each kept small for C2. */
    private static void fullTile(int MR, int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean fresh) {
        if (MR == 8) fullTile(kc, ap, aOff, bp, bOff, c, cOff, ldc, fresh);
        else if (MR == 6) fullTile6(kc, ap, aOff, bp, bOff, c, cOff, ldc, fresh);
        else fullTile4(kc, ap, aOff, bp, bOff, c, cOff, ldc, fresh);
    }

    /**
     * The micro-kernel, in outer-product form: the 8 x NR block of C is held in 16 vector
     * registers for all kc steps; per step two vector loads of B and MR broadcasts of A feed 2*MR
     * FMAs. Kept to few call sites: C2 stops inlining Vector API calls past its per-method budget,
     * and a vector that is not inlined gets boxed on the heap (measured: 5x slower). With
     * {@code fresh} the accumulators start at zero and C is only written (the first K block of a
     * beta = 0 product: pointwise convolutions with K = 16..32 spent a third of their time re-reading C).
     */
    static void fullTile(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean fresh) {
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        // fresh: read a zero tile instead of C (one load form keeps the method small for C2)
        float[] src = fresh ? ZERO_TILE : c;
        int s0 = fresh ? 0 : cOff, s1 = fresh ? 0 : r1, s2 = fresh ? 0 : r2, s3 = fresh ? 0 : r3, s4 = fresh ? 0 : r4, s5 = fresh ? 0 : r5, s6 = fresh ? 0 : r6, s7 = fresh ? 0 : r7;
        final int MR = 8;
        FloatVector c00 = FloatVector.fromArray(S, src, s0), c01 = FloatVector.fromArray(S, src, s0 + L);
        FloatVector c10 = FloatVector.fromArray(S, src, s1), c11 = FloatVector.fromArray(S, src, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, src, s2), c21 = FloatVector.fromArray(S, src, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, src, s3), c31 = FloatVector.fromArray(S, src, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, src, s4), c41 = FloatVector.fromArray(S, src, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, src, s5), c51 = FloatVector.fromArray(S, src, s5 + L);
        FloatVector c60 = FloatVector.fromArray(S, src, s6), c61 = FloatVector.fromArray(S, src, s6 + L);
        FloatVector c70 = FloatVector.fromArray(S, src, s7), c71 = FloatVector.fromArray(S, src, s7 + L);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + L);
    }

    /**
     * The 6 x NR micro-kernel: 12 accumulators, two B vectors and a broadcast, 15 registers, on paper
     * within AVX2's 16 (the 8-row tile needs 19); in practice C2 spilled it there too (see {@link #fullTile4}). The same FMA chain per element as
     * {@link #fullTile}, so the same bits; a separate method for C2's inlining budget, as that one.
     */
    static void fullTile6(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean fresh) {
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        float[] src = fresh ? ZERO_TILE : c;
        int s0 = fresh ? 0 : cOff, s1 = fresh ? 0 : r1, s2 = fresh ? 0 : r2, s3 = fresh ? 0 : r3, s4 = fresh ? 0 : r4, s5 = fresh ? 0 : r5;
        final int MR = 6;
        FloatVector c00 = FloatVector.fromArray(S, src, s0), c01 = FloatVector.fromArray(S, src, s0 + L);
        FloatVector c10 = FloatVector.fromArray(S, src, s1), c11 = FloatVector.fromArray(S, src, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, src, s2), c21 = FloatVector.fromArray(S, src, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, src, s3), c31 = FloatVector.fromArray(S, src, s3 + L);
        FloatVector c40 = FloatVector.fromArray(S, src, s4), c41 = FloatVector.fromArray(S, src, s4 + L);
        FloatVector c50 = FloatVector.fromArray(S, src, s5), c51 = FloatVector.fromArray(S, src, s5 + L);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
    }

    /**
     * The 4 x NR micro-kernel: 8 accumulators, 11 registers. For hosts with 16 vector registers (AVX2): measured
     * under {@code -XX:UseAVX=2} on the Zen 5 host, alone in L1, the 4-row tile ran 105 GFLOPS where the 6- and
     * 8-row tiles ran 50-59 (C2 spills their accumulators with 16 registers; with AVX-512's 32 all three run ~105-115).
     * The same FMA chain per element as {@link #fullTile}, so the same bits.
     */
    static void fullTile4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean fresh) {
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
        float[] src = fresh ? ZERO_TILE : c;
        int s0 = fresh ? 0 : cOff, s1 = fresh ? 0 : r1, s2 = fresh ? 0 : r2, s3 = fresh ? 0 : r3;
        final int MR = 4;
        FloatVector c00 = FloatVector.fromArray(S, src, s0), c01 = FloatVector.fromArray(S, src, s0 + L);
        FloatVector c10 = FloatVector.fromArray(S, src, s1), c11 = FloatVector.fromArray(S, src, s1 + L);
        FloatVector c20 = FloatVector.fromArray(S, src, s2), c21 = FloatVector.fromArray(S, src, s2 + L);
        FloatVector c30 = FloatVector.fromArray(S, src, s3), c31 = FloatVector.fromArray(S, src, s3 + L);
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
    }
}
