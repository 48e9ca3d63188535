package dev.lathe.tensor;

/**
 * Walks up to three operands of one shape row by row. Adjacent dimensions that are laid out
 * contiguously in every operand are merged first, so a contiguous tensor is one long row and
 * the inner loops (in {@link Elementwise} and {@link Reduce}) run over flat array ranges.
 */
final class Strided {
    private Strided() {}

    /** Called once per row with each operand's physical offset of the row's first element. */
    interface Row { void at(int o0, int o1, int o2); }

    /** The merged layout: {@code shape[r-1]} is the row length, {@code strides[k][r-1]} operand k's inner step. */
    record Plan(int[] shape, int[][] strides) {
        int rowLength() { return shape[shape.length - 1]; }
        int innerStride(int k) { return strides[k][shape.length - 1]; }
    }

    static Plan plan(int[] shape, int[]... strides) {
        int rank = shape.length, ops = strides.length;
        int[] s = new int[Math.max(rank, 1)];
        int[][] st = new int[ops][Math.max(rank, 1)];
        int r = 0;
        for (int i = 0; i < rank; i++) {
            if (shape[i] == 1) continue;  // size-1 dims never move an offset
            if (r > 0 && mergeable(s[r - 1], st, r - 1, shape[i], strides, i)) {
                s[r - 1] *= shape[i];
                for (int k = 0; k < ops; k++) st[k][r - 1] = strides[k][i];
            } else {
                s[r] = shape[i];
                for (int k = 0; k < ops; k++) st[k][r] = strides[k][i];
                r++;
            }
        }
        if (r == 0) {  // a scalar or all-ones shape: one row of one element
            s[0] = 1;
            r = 1;
        }
        int[] shapeOut = java.util.Arrays.copyOf(s, r);
        int[][] stridesOut = new int[ops][];
        for (int k = 0; k < ops; k++) stridesOut[k] = java.util.Arrays.copyOf(st[k], r);
        return new Plan(shapeOut, stridesOut);
    }

    private static boolean mergeable(int outerSize, int[][] st, int outer, int innerSize, int[][] strides, int inner) {
        for (int k = 0; k < st.length; k++) {
            if (st[k][outer] != strides[k][inner] * innerSize) return false;
        }
        return true;
    }

    /** Visits every row of the plan; {@code base} holds each operand's starting offset (up to 3). */
    static void rows(Plan p, int[] base, Row row) {
        int rank = p.shape.length, ops = p.strides.length;
        int o0 = base[0], o1 = ops > 1 ? base[1] : 0, o2 = ops > 2 ? base[2] : 0;
        if (rank == 1) {
            row.at(o0, o1, o2);
            return;
        }
        int[] idx = new int[rank - 1];
        int[] s0 = p.strides[0], s1 = ops > 1 ? p.strides[1] : new int[rank], s2 = ops > 2 ? p.strides[2] : new int[rank];
        while (true) {
            row.at(o0, o1, o2);
            int a = rank - 2;
            while (a >= 0) {
                idx[a]++;
                o0 += s0[a];
                o1 += s1[a];
                o2 += s2[a];
                if (idx[a] < p.shape[a]) break;
                o0 -= s0[a] * p.shape[a];
                o1 -= s1[a] * p.shape[a];
                o2 -= s2[a] * p.shape[a];
                idx[a] = 0;
                a--;
            }
            if (a < 0) return;
        }
    }
}
