package dev.lathe.cli;

import static dev.lathe.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.data.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lathe train --data} on data no one here wrote (scikit-learn's bundled tables, from Debian's
 * python3-sklearn, which .ci/run installs), on an image folder and a .npz the test writes; then
 * {@code lathe run --output} and the ONNX export of those checkpoints.
 */
class OwnDataCliTest {
    @TempDir Path tmp;

    static final Path SKLEARN = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data");

    /** scikit-learn's iris.csv ("150,4,setosa,versicolor,virginica" then rows with an integer label) as a CSV with a header and class names. */
    Path iris() throws IOException {
        Path src = SKLEARN.resolve("iris.csv");
        assumeTrue(Files.isRegularFile(src), "needs Debian's python3-sklearn (.ci/run installs it)");
        List<String> lines = Files.readAllLines(src);
        String[] names = lines.getFirst().split(",");
        List<String> out = new ArrayList<>(List.of("sepal_length,sepal_width,petal_length,petal_width,species"));
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",");
            out.add(String.join(",", c[0], c[1], c[2], c[3], names[2 + Integer.parseInt(c[4].trim())]));
        }
        return Files.write(tmp.resolve("iris.csv"), out);
    }

    /** scikit-learn's diabetes data in its original units (space-separated, target in a second file) as one CSV. */
    Path diabetes() throws IOException {
        Path x = SKLEARN.resolve("diabetes_data_raw.csv.gz"), y = SKLEARN.resolve("diabetes_target.csv.gz");
        assumeTrue(Files.isRegularFile(x), "needs Debian's python3-sklearn (.ci/run installs it)");
        List<String> xs = gunzipLines(x), ys = gunzipLines(y), out = new ArrayList<>(List.of("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression"));
        for (int i = 0; i < xs.size(); i++) out.add(xs.get(i).trim().replaceAll("\\s+", ",") + "," + Double.parseDouble(ys.get(i).trim()));
        return Files.write(tmp.resolve("diabetes.csv"), out);
    }

    static List<String> gunzipLines(Path p) throws IOException {
        try (var in = new GZIPInputStream(Files.newInputStream(p))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static double field(String out, String name) {
        return Double.parseDouble(out.replaceAll("(?s).*\\b" + name + "=(\\S+).*", "$1"));
    }

    @Test
    void irisFromACsvWithNoFlagsBeyondData() throws IOException {
        Path csv = iris(), ckpt = tmp.resolve("iris.ckpt"), preds = tmp.resolve("preds.csv");
        CliTest.Run r = run("train", "--data", csv.toString(), "--save", ckpt.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("task: classify (target 'species' holds text", "test split: 30 of 150 rows", "mlp on " + csv + " (classify)");
        // 26 of these 30 test rows or more (chance: 10); the same rows split by scikit-learn: scripts/compare-sklearn.sh
        assertThat(field(r.out(), "test_accuracy")).isGreaterThanOrEqualTo(0.85);
        assertThat(r.out()).contains("defaults for a table: --hidden 32 --dropout 0.2 --weight-decay 1e-2 --lr 1e-2 --val 0.2");

        // predictions for raw rows, scored against the species column the file still has
        CliTest.Run p = run("run", ckpt.toString(), "--input", csv.toString(), "--output", preds.toString());
        assertThat(p.code()).as(p.err()).isZero();
        List<String> lines = Files.readAllLines(preds);
        assertThat(lines).hasSize(151);
        assertThat(lines.getFirst()).isEqualTo("id,predicted,truth,p_setosa,p_versicolor,p_virginica");
        assertThat(lines.get(1)).startsWith("line 2,setosa,setosa,");
        assertThat(field(p.out(), "accuracy")).isGreaterThanOrEqualTo(0.85);

        // a file without one of the model's columns: a one-line error naming it
        Path partial = Files.write(tmp.resolve("partial.csv"), Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1))).toList());
        CliTest.Run bad = run("run", ckpt.toString(), "--input", partial.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("partial.csv: lacks the model's column(s) [petal_width]").hasLineCount(1);

        CliTest.Run i = run("data", "inspect", csv.toString());
        assertThat(i.out()).contains("150 rows, 5 columns").containsPattern("petal_width +numeric +0  min 0\\.1000  max 2\\.500")
                .contains("'species': setosa 50, versicolor 50, virginica 50");

        // the ONNX file takes raw columns
        CliTest.Run e = run("export", ckpt.toString(), "--format", "onnx", "-o", tmp.resolve("iris.onnx").toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("input: one float per column [sepal_length, sepal_width, petal_length, petal_width], raw values", "logits of [setosa, versicolor, virginica]");
    }

    @Test
    void diabetesIsARegressionWithRmseAndR2() throws IOException {
        CliTest.Run r = run("train", "--data", diabetes().toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("task: regress (target 'progression' has").containsPattern("(?m)^result test_rmse=\\d+\\.\\d{4} test_r2=-?\\d\\.\\d{4} ");
        assertThat(field(r.out(), "test_r2")).isGreaterThan(0.2);  // scikit-learn's LinearRegression: ~0.3-0.5 on such splits
        assertThat(field(r.out(), "test_rmse")).isLessThan(70);    // the target's std is 77
    }

    static void png(Path file, BufferedImage img) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /** Bars across or down a noisy 16x16 canvas, in colour: two classes a CNN tells apart. */
    static BufferedImage bars(boolean across, Random r) {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        int phase = r.nextInt(4);
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                boolean on = ((across ? i : j) + phase) % 4 < 2;
                int v = Math.clamp((on ? 200 : 50) + (int) (r.nextGaussian() * 30), 0, 255);
                img.setRGB(j, i, (v << 16) | (v / 2 << 8) | (255 - v));
            }
        }
        return img;
    }

    @Test
    void imageFolderTrainsACnnAndScoresAFolder() throws IOException {
        Random r = new Random(5);
        Path root = tmp.resolve("images");
        for (int i = 0; i < 30; i++) {
            png(root.resolve("across/a" + i + ".png"), bars(true, r));
            png(root.resolve("down/d" + i + ".png"), bars(false, r));
        }
        Path ckpt = tmp.resolve("img.ckpt");
        CliTest.Run t = run("train", "--data", root.toString(), "--model", "cnn", "--image-size", "12x12", "--epochs", "6", "--save", ckpt.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("classes: [across 2", "images: 3x12x12, standardized");
        assertThat(field(t.out(), "test_accuracy")).isGreaterThanOrEqualTo(0.9);
        // every image of the folder, scored by its sub-folder's name
        Path preds = tmp.resolve("img.csv");
        CliTest.Run p = run("run", ckpt.toString(), "--input", root.toString(), "--output", preds.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("samples=60 scored=60");
        assertThat(field(p.out(), "accuracy")).isGreaterThanOrEqualTo(0.9);
        assertThat(Files.readAllLines(preds).get(1)).matches("across/a0\\.png,(across|down),across,0\\.\\d{6},0\\.\\d{6}");
        CliTest.Run one = run("run", ckpt.toString(), "--input", root.resolve("down/d3.png").toString());
        assertThat(one.out()).contains("d3.png: down", "samples=1");
        // inspection: classes, counts and a grid of examples
        Path grid = tmp.resolve("grid.png");
        CliTest.Run i = run("data", "inspect", root.toString(), "--grid", grid.toString());
        assertThat(i.out()).contains("60 images in 2 classes", "across", "30 images  first 16x16");
        assertThat(ImageIO.read(grid.toFile()).getHeight()).isEqualTo(2 * 48);
    }

    @Test
    void npzTrainsAndRawOutputsGoToNpy() throws IOException {
        Random r = new Random(2);
        int n = 200;
        float[] x = new float[n * 3], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int k = 0; k < 3; k++) x[i * 3 + k] = (float) (r.nextGaussian() + (y[i] == 1 ? 2.5 : -2.5) * (k == 0 ? 1 : 0)) * 10 + 100;
        }
        Path data = tmp.resolve("d.npz"), xf = tmp.resolve("x.npy"), yf = tmp.resolve("y.npy");
        Npy.write(xf, x, new int[] {n, 3});
        Npy.write(yf, y, new int[] {n});
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(data))) {
            for (Path p : List.of(xf, yf)) {
                z.putNextEntry(new ZipEntry(p.getFileName().toString()));
                z.write(Files.readAllBytes(p));
                z.closeEntry();
            }
        }
        Path ckpt = tmp.resolve("npz.ckpt");
        CliTest.Run t = run("train", "--data", data.toString(), "--save", ckpt.toString(), "--no-progress");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("task: classify (y has 2 distinct integers", "features: 3 per sample");
        assertThat(field(t.out(), "test_accuracy")).isGreaterThanOrEqualTo(0.95);
        // raw (unstandardized) samples in, raw outputs out
        CliTest.Run p = run("run", ckpt.toString(), "--input", xf.toString(), "--output", tmp.resolve("out.npy").toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(Npy.read(tmp.resolve("out.npy")).shape()).containsExactly(n, 2);
    }
}
