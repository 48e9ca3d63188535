package dev.lathe.labs;

import java.io.IOException;

/** One experiment of the course: runs at its defaults (or reduced, for tests), writes plots, reports numbers. */
public interface Lab {
    String name();

    /** One line for {@code lathe lab list}. */
    String description();

    LabResult run(LabContext ctx) throws IOException;
}
