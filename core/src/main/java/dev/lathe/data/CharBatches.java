package dev.lathe.data;

/**
 * Contiguous batches for stateful training: the token stream is cut into {@code batch} lanes of
 * equal length, and batch k holds steps [k*seq, (k+1)*seq) of every lane, so row b of batch k+1
 * continues row b of batch k and the recurrent state can carry over. Targets are the next tokens.
 */
public final class CharBatches {
    private final int[] ids;
    private final int batch, seq, lane;

    public CharBatches(int[] ids, int batch, int seq) {
        if (batch < 1 || seq < 1) throw new IllegalArgumentException("batches: batch " + batch + " and sequence length " + seq + " must be positive");
        this.ids = ids;
        this.batch = batch;
        this.seq = seq;
        this.lane = ids.length / batch;
        if (lane < seq + 1) throw new IllegalArgumentException("batches: " + ids.length + " tokens are too few for " + batch + " lanes of " + (seq + 1));
    }

    /** Batches per pass over the stream. */
    public int count() { return (lane - 1) / seq; }

    public int batch() { return batch; }

    public int seq() { return seq; }

    /** Inputs of batch k, row-major [batch, seq]. */
    public int[] inputs(int k) { return window(k, 0); }

    /** Targets of batch k (each input's next token), row-major [batch, seq]. */
    public int[] targets(int k) { return window(k, 1); }

    private int[] window(int k, int shift) {
        if (k < 0 || k >= count()) throw new IndexOutOfBoundsException("batch " + k + " of " + count());
        int[] out = new int[batch * seq];
        for (int b = 0; b < batch; b++) System.arraycopy(ids, b * lane + k * seq + shift, out, b * seq, seq);
        return out;
    }
}
