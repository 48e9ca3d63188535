package dev.lathe.cli;

import static dev.lathe.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe train --from MODEL.onnx} on torchvision's resnet18 and mobilenet_v2 as Debian's
 * PyTorch exports them (scripts/pretrain_torchvision.py, random weights here: the numbers of a
 * pretrained start against a scratch one come from scripts/finetune-vs-scratch.sh): the graph imports
 * as trainable layers, its head is replaced for the data's classes, it trains, and the checkpoint
 * runs and exports.
 */
class FineTuneCliTest {
    @TempDir Path tmp;

    static boolean torchvision() {
        try {
            return new ProcessBuilder("/usr/bin/python3", "-c", "import torchvision").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    Path export(String model) throws Exception {
        assumeTrue(torchvision(), "needs Debian's python3-torchvision (.ci/run installs it)");
        Files.createDirectories(tmp.resolve("target-train"));  // the script then skips writing the second task's folders
        Process p = new ProcessBuilder("/usr/bin/python3", Path.of("../scripts/pretrain_torchvision.py").toAbsolutePath().toString(), tmp.toString(), model, "0")
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        return tmp.resolve(model + ".onnx");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "mobilenet_v2"})
    void torchvisionModelFineTunesRunsAndExports(String model) throws Exception {
        Path onnx = export(model), root = tmp.resolve("images");
        Random r = new Random(3);
        for (int i = 0; i < 16; i++) {
            OwnDataCliTest.png(root.resolve("across/a" + i + ".png"), OwnDataCliTest.bars(true, r));
            OwnDataCliTest.png(root.resolve("down/d" + i + ".png"), OwnDataCliTest.bars(false, r));
        }
        Path ckpt = tmp.resolve(model + ".ckpt");
        CliTest.Run t = run("train", "--from", onnx.toString(), "--data", root.toString(), "--epochs", "2", "--batch", "16", "--save", ckpt.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("images resized to 32x32: the input of " + onnx, onnx + " (fine-tuned, new head '")
                .containsPattern("(?m)^result test_accuracy=[01]\\.\\d{4}");

        // only the new head trains: 2 classes x (features + 1)
        CliTest.Run frozen = run("train", "--from", onnx.toString(), "--data", root.toString(), "--epochs", "1", "--freeze-backbone", "--no-progress");
        assertThat(frozen.code()).as(frozen.err()).isZero();
        int features = model.equals("resnet18") ? 512 : 1280;
        assertThat(frozen.out()).containsPattern("frozen: " + String.format(java.util.Locale.ROOT, "%,d", 2 * (features + 1)) + " of [\\d,]+ parameters train");

        // the checkpoint rebuilds the graph from the ONNX file, predicts and exports
        CliTest.Run p = run("run", ckpt.toString(), "--input", root.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("samples=32 scored=32");
        CliTest.Run e = run("export", ckpt.toString(), "--format", "onnx", "-o", tmp.resolve("tuned.onnx").toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("input: pixels in [0, 1], 3x32x32", "logits of [across, down]");
        assertThat(run("train", "--from", onnx.toString(), "--data", root.toString(), "--freeze", "nope").err()).contains("--freeze: ", "no parameter name starts with 'nope'");
    }
}
