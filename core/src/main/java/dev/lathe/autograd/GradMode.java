package dev.lathe.autograd;

/**
 * Per-thread switch for recording the graph. Inference and evaluation run inside
 * {@code try (var g = GradMode.noGrad()) { ... }}: results become constants and nothing is kept.
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Disables gradient recording until the returned scope is closed (scopes nest). */
    public static Scope noGrad() {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = false;
        return () -> flag[0] = before;
    }

    /** A scope that restores the previous mode on close; it throws nothing. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
