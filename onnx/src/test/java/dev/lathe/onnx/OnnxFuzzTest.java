package dev.lathe.onnx;

import dev.lathe.fuzz.Mutations;
import dev.lathe.models.Cnn;
import dev.lathe.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** ONNX files, loaded and imported for the runtime, against mutants of one Lathe exported: only documented errors naming the file. */
class OnnxFuzzTest {
    static final byte[] MODEL = OnnxExport.toProto(Cnn.classic(1).eval(), Shape.batchOf(3, 32, 32), "seed").toByteArray();

    @Property(tries = 300, seed = "31")
    void loadAndImport(@ForAll long mutant) throws IOException {
        Path dir = Files.createTempDirectory("lathe-fuzz-onnx");
        try {
            Mutations.check(dir.resolve("in.onnx"), Mutations.mutate(MODEL, new Random(mutant)), f -> OnnxImport.toModule(OnnxModel.load(f), f.toString()));
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
