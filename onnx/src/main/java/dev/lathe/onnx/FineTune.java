package dev.lathe.onnx;

import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A pretrained ONNX model (the vision subset {@link OnnxImport} converts: torchvision's ResNets and
 * MobileNets, Lathe's own exports) as a trainable Lathe graph with a new classifier head: every
 * weight of the file as a parameter, BatchNorm with its running statistics, and the last dense layer
 * — which must be the graph's output — replaced by a freshly initialized one with the data's class
 * count. The graph's nodes keep the file's names, so {@code --freeze PREFIX} names them as
 * {@code lathe summary MODEL.onnx} shows.
 */
public final class FineTune {
    private FineTune() {}

    /** The trainable graph, its input shape ([1, C, H, W]), the new head's node name, and the file's SHA-256. */
    public record Pretrained(Graph model, Shape input, String head, String sha256) {}

    public static Pretrained load(Path file, int classes, long seed) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such pretrained ONNX model");
        OnnxImport.Imported im = OnnxImport.toModule(OnnxModel.load(file), file.toString());
        Graph g = im.model();
        List<Graph.Node> nodes = g.nodes();
        Graph.Node head = null;
        for (Graph.Node n : nodes) if (n.module() instanceof Linear) head = n;
        if (head == null) throw new IllegalArgumentException(file + ": no dense layer (Gemm/MatMul) to replace as the classifier head");
        if (!head.name().equals(g.output())) {
            List<String> after = nodes.subList(nodes.indexOf(head) + 1, nodes.size()).stream().map(n -> n.name() + " (" + n.module().getClass().getSimpleName() + ")").toList();
            throw new IllegalArgumentException(file + ": the last dense layer '" + head.name() + "' is not the graph's output (after it: " + after
                    + "); export the model without a softmax or other layers after its classifier");
        }
        Linear old = (Linear) head.module();
        Linear fresh = new Linear(old.inFeatures(), classes, true, dev.lathe.nn.Init.xavierUniform());
        fresh.resetParameters(new Random(seed));
        g.replace(head.name(), fresh);
        return new Pretrained(g, im.input(), head.name(), sha256(file));
    }

    /** The input shape ([1, C, H, W]) of a model the runtime can import. */
    public static Shape inputShape(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such pretrained ONNX model");
        Shape in = OnnxImport.toModule(OnnxModel.load(file), file.toString()).input();
        if (in.rank() != 4) throw new IllegalArgumentException(file + ": takes " + in + "; --from fine-tunes image models ([N, C, H, W])");
        return in;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
