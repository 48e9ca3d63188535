package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Test fixture: what this JVM's vector width and scalar mode should make the kernels' dispatch decide,
 * worked out from the JVM rather than from the kernels' own constants (shared with the CLI tests via
 * the test jar). The suite runs at full width, -XX:MaxVectorSize=32 and =16, and -Dlathe.scalar=true.
 */
public final class ExpectedDispatch {
    private ExpectedDispatch() {}

    /** What {@link PlanarStem#unfit} says about a geometry the stem can run: null on a 16-lane host, else how its reason starts. */
    public static String planarStemUnfit() {
        if (Boolean.getBoolean("lathe.scalar")) return "scalar mode";
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        return lanes == 16 ? null : "needs 16 float lanes, this JVM has " + lanes;
    }
}
