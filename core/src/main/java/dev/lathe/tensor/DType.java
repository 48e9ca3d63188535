package dev.lathe.tensor;

/** Element type of a {@link Tensor}. FLOAT32 is what models train in; FLOAT64 exists for gradient checks. */
public enum DType {
    FLOAT32(4), FLOAT64(8);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }
}
