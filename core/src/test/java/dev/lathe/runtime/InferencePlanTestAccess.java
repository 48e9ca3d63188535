package dev.lathe.runtime;

import dev.lathe.nn.Module;
import dev.lathe.tensor.Tensor;

/** Shares the plan tests' fixtures with other test packages. */
public final class InferencePlanTestAccess {
    private InferencePlanTestAccess() {}

    public static void randomStatistics(Module m, long seed) { InferencePlanTest.randomStatistics(m, seed); }

    /** The model's own forward pass in eval mode, the reference a plan is held to. */
    public static float[] reference(Module m, Tensor x) { return InferencePlanTest.reference(m, x); }

    public static void assertClose(float[] a, float[] b) { InferencePlanTest.assertClose(a, b); }

    /** The most a call may allocate once warm (package-private in Session: only tests outside runtime read it). */
    public static final long SETTLED_BYTES = Session.SETTLED_BYTES;
}
