package dev.lathe.onnx;

/** An operator, attribute or element type Lathe's ONNX runtime does not implement: reported, never counted as a pass. */
public final class UnsupportedOperatorException extends RuntimeException {
    public UnsupportedOperatorException(String message) { super(message); }
}
