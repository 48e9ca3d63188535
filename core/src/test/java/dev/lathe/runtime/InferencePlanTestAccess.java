package dev.lathe.runtime;

import dev.lathe.nn.Module;

/** Shares the plan tests' fixtures with other test packages. */
public final class InferencePlanTestAccess {
    private InferencePlanTestAccess() {}

    public static void randomStatistics(Module m, long seed) { InferencePlanTest.randomStatistics(m, seed); }
}
