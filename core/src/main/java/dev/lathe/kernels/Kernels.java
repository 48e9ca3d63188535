package dev.lathe.kernels;

/**
 * Switches shared by all kernels. {@code -Dlathe.scalar=true} routes every vectorized kernel to its
 * scalar twin (the reference the tests compare against); {@code -Dlathe.threads=N} sizes the pool.
 */
public final class Kernels {
    private Kernels() {}

    /** True when the scalar reference kernels are forced (system property {@code lathe.scalar}). */
    public static final boolean SCALAR = Boolean.getBoolean("lathe.scalar");
}
