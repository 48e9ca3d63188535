package dev.lathe.sources;

import dev.lathe.fuzz.Mutations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** CSV tables, read and fitted, against mutants of a valid one: only the loaders' documented errors, each naming the file. */
class TableFuzzTest {
    static final byte[] CSV = ("temp,machine,\"note, quoted\",state\n35.5,mill,\"a \"\"b\"\"\",ok\n,press,x,worn\n80,lathe,y,ok\n"
            + "12.25,mill,z,broken\n41,press,w,worn\n").getBytes(StandardCharsets.UTF_8);

    @Property(tries = 500, seed = "31")
    void csvReadAndFitted(@ForAll long mutant) throws IOException {
        Path dir = Files.createTempDirectory("lathe-fuzz-csv");
        try {
            Mutations.check(dir.resolve("in.csv"), Mutations.mutate(CSV, new Random(mutant)),
                    f -> Tables.fit(CsvTable.read(f), null, 0.25, 0, new Tables.Options(null, "auto", null, null, "impute")));
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
