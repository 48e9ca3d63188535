package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.FakeFashion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on a small generated Fashion-MNIST directory: results, exit codes, one-line errors. */
class CliTest {
    @TempDir Path tmp;
    Path data;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach void fakeData() throws IOException { data = FakeFashion.write(Files.createDirectories(tmp.resolve("fashion")), 600, 200); }

    @Test void trainEndsWithAResultLine() {
        Run r = run("train", "--data", data.toString(), "--epochs", "2", "--hidden", "32", "--batch", "32", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch 2/2").containsPattern("(?m)^result test_accuracy=[01]\\.\\d{4} test_loss=\\d+\\.\\d{4} train_seconds=\\d+\\.\\d$");
        String acc = r.out().replaceAll("(?s).*test_accuracy=(\\S+).*", "$1");
        assertThat(Double.parseDouble(acc)).isGreaterThan(0.5);  // the fake classes are separable; chance is 0.1
    }

    @Test void benchPrintsSamplesPerSecond() {
        Run r = run("bench", "train", "--data", data.toString(), "--epochs", "2", "--hidden", "16");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^result samples_per_second=\\d+$");
    }

    @Test void benchGemmPrintsOneLinePerSizeAndThreadCount() {
        Run r = run("bench", "gemm", "--sizes", "32,65", "--seconds", "0.05");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.matches("gemm threads [12] n (32|65) gflops \\d+\\.\\d")).count()).isEqualTo(4);
        assertThat(run("bench", "gemm", "--sizes", "0").err()).contains("matrix size must be >= 1");
        assertThat(run("bench", "fft").err()).contains("unknown benchmark 'fft'");
    }

    @Test void demoWritesALossPlot() throws IOException {
        Path out = tmp.resolve("plots");
        Run r = run("demo", "--data", data.toString(), "--epochs", "2", "--hidden", "16", "--out", out.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        byte[] png = Files.readAllBytes(out.resolve("loss.png"));
        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        assertThat(r.out()).contains("Total params:", "result test_accuracy=");
    }

    @Test void zooModelTrainsAndSummarizesAtItsReferenceSize() {
        Run r = run("train", "--model", "resnet-mini", "--data", data.toString(), "--epochs", "1", "--limit", "128", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet-mini on Fashion-MNIST").containsPattern("(?m)^result test_accuracy=");
        assertThat(run("summary", "resnet18").out()).contains("Total params: 11,689,512", "Connected to");
        assertThat(run("summary", "mobilenet_v2", "--input", "3,96,96", "--classes", "5").out()).contains("[?, 5]");
        assertThat(run("summary", "resnet-mini", "--plan").out()).contains("BatchNorm folded", "ReLU fused", "Memory plan (greedy by size", "lower bound",
                "Batch-1 session: channels-last", "0 inverted residual block(s) fused");
        // the planar stem runs on 16-lane hosts; elsewhere the summary says why not
        String unfit = dev.lathe.kernels.ExpectedDispatch.planarStemUnfit(), stem = unfit == null ? "the first conv reading the input channels-first" : "no planar stem: " + unfit;
        assertThat(run("summary", "mobilenet_v2-mini", "--plan").out()).contains("Batch-1 session: channels-last", stem, "inverted residual block(s) fused")
                .doesNotContain(" 0 inverted residual");
        assertThat(run("summary", "cnn", "--classes", "5").err()).contains("--input and --classes apply to zoo models");
    }

    @Test void saveAndResumeContinueTheRun() throws IOException {
        Path ck = tmp.resolve("run.ckpt");
        Run first = run("train", "--data", data.toString(), "--epochs", "1", "--hidden", "16", "--save", ck.toString(), "--no-progress");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(ck).exists();
        Run more = run("train", "--data", data.toString(), "--resume", ck.toString(), "--epochs", "2", "--hidden", "999", "--no-progress");
        assertThat(more.code()).as(more.err()).isZero();
        // the checkpoint's settings win: the model is the saved 784-16-10 MLP, not --hidden 999
        assertThat(more.out()).contains("resuming " + ck + " after epoch 1 of 2", "12,730 parameters", "epoch 2/2").doesNotContain("epoch 1/2");
        Run done = run("train", "--data", data.toString(), "--resume", ck.toString(), "--epochs", "1", "--no-progress");
        assertThat(done.err()).contains("1 epochs are done and the run has 1");
        Files.write(ck, new byte[] {1, 2, 3});
        assertThat(run("train", "--data", data.toString(), "--resume", ck.toString(), "--epochs", "3").err()).contains("not a valid safetensors file: too short");
    }

    @Test void exportRunAndSummarizeOnnx() throws IOException {
        Path ck = tmp.resolve("cnn.ckpt"), file = tmp.resolve("cnn.onnx");
        Run train = run("train", "--model", "cnn", "--data", data.toString(), "--epochs", "1", "--limit", "128", "--save", ck.toString(), "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Run export = run("export", ck.toString(), "--format", "onnx", "-o", file.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("wrote " + file, "cnn from " + ck + " (epoch 1)", "opset 17");
        assertThat(run("summary", file.toString()).out()).contains("ONNX model: opset 17", "Conv", "Gemm", "Initializers: 8 tensors, 421,642 values");
        // a TensorProto input, as the ONNX test suite stores them
        var t = onnx.Onnx.TensorProto.newBuilder().setDataType(1).addDims(1).addDims(1).addDims(28).addDims(28);
        for (int i = 0; i < 784; i++) t.addFloatData((i % 28) / 28f);
        Path pb = tmp.resolve("x.pb");
        Files.write(pb, t.build().toByteArray());
        Run r = run("run", file.toString(), "--input", pb.toString(), "--engine", "interpreter");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("output output shape [1, 10]").containsPattern("(?m)^result engine=interpreter outputs=1 first_shape=\\[1,10\\] argmax=\\d ms=");
        String argmax = r.out().replaceAll("(?s).*argmax=(\\d).*", "$1");
        // the runtime (frozen plan from the ONNX graph) and the checkpoint itself give the same class
        Run rt = run("run", file.toString(), "--input", pb.toString());
        assertThat(rt.out()).as(rt.err()).containsPattern("(?m)^result engine=runtime samples=1 argmax=\\[" + argmax + "\\] ms=");
        Run ckRun = run("run", ck.toString(), "--input", pb.toString(), "--threads", "1");
        assertThat(ckRun.code()).as(ckRun.err()).isZero();
        assertThat(ckRun.out()).containsPattern("(?m)^result engine=runtime samples=1 argmax=\\[\\d\\]");
        assertThat(run("run", file.toString(), "--input", pb.toString(), "--engine", "gpu").err()).contains("--engine must be auto, runtime or interpreter");
        Run bench = run("bench", "infer", file.toString(), "--threads", "1", "--profile");
        assertThat(bench.out()).as(bench.err()).containsPattern("(?m)^result p50_ms=[0-9.]+ p90_ms=[0-9.]+ throughput_per_s=\\d+").contains("step ", "steps total");
        Run batched = run("bench", "infer", "mlp", "--threads", "1", "--batch", "8");
        assertThat(batched.out()).as(batched.err()).contains("batch 8").contains("result p50_ms=");
        Files.write(tmp.resolve("short.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 10, 0});
        assertThat(run("run", file.toString(), "--input", tmp.resolve("short.npy").toString()).err()).contains("header length");
        assertThat(run("export", "cnn", "--format", "tflite", "-o", tmp.resolve("x").toString()).err()).contains("--format tflite is not supported");
        assertThat(run("export", "no/such.ckpt", "-o", tmp.resolve("x").toString()).err()).contains("file not found: no/such.ckpt");
        Files.write(tmp.resolve("cut.onnx"), java.util.Arrays.copyOf(Files.readAllBytes(file), 200));
        assertThat(run("summary", tmp.resolve("cut.onnx").toString()).err()).contains("not an ONNX model");
    }

    @Test void pruneACheckpointWithRetraining() throws IOException {
        Path ck = tmp.resolve("mlp.ckpt"), pruned = tmp.resolve("pruned.ckpt");
        Run train = run("train", "--model", "mlp", "--data", data.toString(), "--epochs", "2", "--save", ck.toString(), "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Run p = run("prune", ck.toString(), "--sparsity", "0.8", "--steps", "2", "--retrain-epochs", "1", "--data", data.toString(), "-o", pruned.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("round 1 sparsity", "round 2 sparsity 0.8000", "80.0% pruned", "CSR").containsPattern("(?m)^result sparsity=0.8000 test_accuracy=[01]\\.\\d+");
        // the pruned checkpoint is an ordinary checkpoint: it runs and its zeros are there
        dev.lathe.train.Checkpoint c = dev.lathe.train.Checkpoint.load(pruned);
        float[] w = c.weights().get("1.weight").floatData();
        int zeros = 0;
        for (float v : w) if (v == 0) zeros++;
        assertThat(zeros).isGreaterThan(w.length / 2);
        assertThat(run("prune", ck.toString(), "--sparsity", "1.5", "--data", data.toString(), "-o", pruned.toString()).err()).contains("--sparsity must be in [0, 1), got 1.5");
        Run sens = run("prune", ck.toString(), "--sensitivity", "--data", data.toString());
        assertThat(sens.out()).as(sens.err()).contains("sensitivity layer 1 sparsity 0.50 val_acc", "sensitivity layer 5 sparsity 0.95 val_acc");
        assertThat(run("summary", pruned.toString()).out()).containsPattern("Sparsity: [0-9,]+ of 234,752 weights are zero \\(8\\d\\.\\d%\\)");
        assertThat(run("prune", ck.toString(), "--data", data.toString()).err()).contains("-o/--output is required");
        assertThat(run("prune", "nope.ckpt", "--sparsity", "0.5", "-o", pruned.toString()).err()).contains("nope.ckpt");
        assertThat(run("prune", ck.toString(), "--sparsity", "0.5", "--method", "random", "-o", pruned.toString()).err()).contains("--method must be layer or global");
    }

    @Test void exportToCWithTheFootprintReport() throws IOException {
        Path c32 = tmp.resolve("c32"), c8 = tmp.resolve("c8");
        Run f = run("export", "cnn", "--format", "c", "-o", c32.toString());
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(f.out()).contains("footprint (fp32): weights 1,686,568 bytes", "arena 125,440 bytes", "4,241,152 MACs per inference");
        assertThat(Files.readString(c32.resolve("model.h"))).contains("int model_predict(const float *in, float *out);");
        Run q = run("export", "mlp", "--format", "c", "--int8", "--calibration", "50", "-o", c8.toString());
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(q.out()).contains("footprint (int8)", "int8 weights with their integer biases").containsPattern("stack bound [0-9,]+ bytes");
        assertThat(Files.readString(c8.resolve("model.h"))).contains("int model_predict_int8(const int8_t *in, int8_t *out);");
        Run bad = run("export", "densenet-mini", "--format", "c", "--int8", "--calibration", "4", "-o", tmp.resolve("c-bad").toString());
        assertThat(bad.code()).as(bad.out()).isEqualTo(1);
        assertThat(bad.err()).contains("int8: step").contains("BatchNorm2d").contains("has no int8 kernel");
        assertThat(Files.exists(tmp.resolve("c-bad").resolve("model.c"))).isFalse();
        assertThat(run("export", "cnn", "--int8", "-o", tmp.resolve("x.onnx").toString()).err()).contains("--int8 applies to --format c");
    }

    @Test void charModelTrainsGeneratesAndExportsToC() throws IOException {
        Path corpus = Files.createDirectories(tmp.resolve("corpus")), ck = tmp.resolve("char.ckpt"), c = tmp.resolve("char-c");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) text.append("static int x").append(i % 10).append(" = ").append(i).append(";\n");
        Files.writeString(corpus.resolve("a.h"), text.toString());
        Run train = run("train", "--model", "char-gru", "--corpus", corpus.toString(), "--layers", "1", "--hidden", "16", "--seq", "10",
                "--max-seconds", "1", "--save", ck.toString(), "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Run gen = run("generate", "--model", ck.toString(), "--prime", "static", "--length", "20", "--seed", "1");
        assertThat(gen.code()).as(gen.err()).isZero();
        Run e = run("export", ck.toString(), "--format", "c", "-o", c.toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("model_reset, model_step", "footprint (fp32)");
        assertThat(Files.readString(c.resolve("model.h"))).contains("int model_step(int token, float *logits);");
        Run e8 = run("export", ck.toString(), "--format", "c", "--int8", "--calibration", "200", "--corpus", corpus.toString(), "-o", tmp.resolve("char-c8").toString());
        assertThat(e8.code()).as(e8.err()).isZero();
        assertThat(e8.out()).contains("calibrating on the first 200 characters", "footprint (int8)");
        assertThat(Files.readString(tmp.resolve("char-c8").resolve("model.h"))).contains("int model_step_int8(int token, int8_t *logits);");
        assertThat(run("quantize", ck.toString(), "-o", tmp.resolve("q.onnx").toString()).err()).contains("holds a char-gru model", "--format c --int8");
    }

    @Test void quantizeACheckpointToQdq() throws IOException {
        Path ck = tmp.resolve("q.ckpt"), onnxFile = tmp.resolve("q-int8.onnx");
        Run train = run("train", "--model", "mlp", "--data", data.toString(), "--epochs", "1", "--save", ck.toString(), "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Run q = run("quantize", ck.toString(), "--calibration", "100", "--data", data.toString(), "-o", onnxFile.toString());
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(q.out()).contains("3.92x smaller", "wrote " + onnxFile).containsPattern("(?m)^result fp32_test_accuracy=[01]\\.\\d+ int8_test_accuracy=[01]\\.\\d+ agreement=[01]\\.\\d+");
        // the QDQ file runs in Lathe's interpreter too (QuantizeLinear/DequantizeLinear are ONNX operators)
        var t = onnx.Onnx.TensorProto.newBuilder().setDataType(1).addDims(1).addDims(1).addDims(28).addDims(28);
        for (int i = 0; i < 784; i++) t.addFloatData((i % 28) / 28f);
        Path pb = tmp.resolve("xq.pb");
        Files.write(pb, t.build().toByteArray());
        Run r = run("run", onnxFile.toString(), "--input", pb.toString(), "--engine", "interpreter");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(run("quantize", ck.toString(), "--method", "entropy", "-o", onnxFile.toString()).err()).contains("--method must be minmax or percentile");
        assertThat(run("quantize", "missing.ckpt", "-o", onnxFile.toString()).err()).contains("missing.ckpt");
    }

    @Test void onnxConformanceOnOneTestFolder() throws IOException {
        Path suite = Path.of("/usr/share/libonnx-testdata/data/node/test_relu");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(suite), "libonnx-testdata not installed; .ci/run installs it");
        Run r = run("onnx", "conformance", suite.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("passed test_relu", "result passed=1 failed=0 unsupported=0 total=1");
        assertThat(run("onnx", "conformance", tmp.resolve("none").toString()).err()).contains("no such directory", "libonnx-testdata");
    }

    @Test void augmentationTrainsAndRejectsAPaddingAsLargeAsTheImage() {
        Run r = run("train", "--model", "cnn", "--data", data.toString(), "--epochs", "1", "--limit", "128", "--augment", "2", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^result test_accuracy=");
        Run bad = run("train", "--data", data.toString(), "--epochs", "1", "--augment", "28", "--no-progress");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("augment: crop padding 28 must be in [0, 28)");
    }

    @Test void labListsRunsAndRejectsUnknownNames() throws IOException {
        Run list = run("lab", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out().lines().count()).isEqualTo(dev.lathe.labs.Labs.all().size());
        Path out = tmp.resolve("labs");
        Run r = run("lab", "linear-regression", "--out", out.toString(), "--quick");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("final slope=\\d\\.\\d{4} offset=\\d\\.\\d{4}").contains("wrote " + out.resolve("linear-regression-contour.png"));
        assertThat(Files.readAllBytes(out.resolve("linear-regression-contour.png"))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        Run bad = run("lab", "cooking");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("unknown lab 'cooking'");
    }

    @Test void summaryPrintsTheLayerTable() {
        Run r = run("summary", "mlp", "--hidden", "256,128");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Linear(784→256)", "Total params: 235,146");
    }

    @Test void cnnTrainsAndClassicCnnExplainsItsInputShape() {
        Run r = run("train", "--model", "cnn", "--data", data.toString(), "--epochs", "1", "--limit", "256", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("cnn on Fashion-MNIST", "421,642 parameters").containsPattern("(?m)^result test_accuracy=");
        Run classic = run("train", "--model", "classic-cnn", "--data", data.toString());
        assertThat(classic.code()).isEqualTo(1);
        assertThat(classic.err()).contains("model 'classic-cnn' takes [?, 3, 32, 32] images; Fashion-MNIST has [?, 1, 28, 28]");
        assertThat(run("summary", "classic-cnn").out()).contains("Conv2d(3→16, 5x5, pad 2)", "16,384", "Total params: 277,610");
    }

    @Test void badArgumentsGiveOneLineAndExitTwo() {
        Run r = run("train", "--epochs", "many");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("lathe: Invalid value for option '--epochs'").doesNotContain("at dev.lathe");
        assertThat(run("train", "--frobnicate").code()).isEqualTo(2);
    }

    @Test void missingDatasetSaysHowToInstallIt() {
        Run r = run("train", "--data", tmp.resolve("nowhere").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nowhere", "apt-get install dataset-fashion-mnist").doesNotContain("\tat ");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test void corruptIdxFileIsNamedInOneLine() throws IOException {
        Path f = data.resolve("train-images-idx3-ubyte.gz");
        byte[] whole = Files.readAllBytes(f);
        Files.delete(f);
        Files.write(data.resolve("train-images-idx3-ubyte"), FakeFashion.idx(new int[] {600, 28, 28}, new byte[1000]));
        Run r = run("train", "--data", data.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("train-images-idx3-ubyte", "truncated").doesNotContain("\tat ");
        assertThat(whole.length).isGreaterThan(0);
    }

    @Test void badValuesNameTheArgument() {
        assertThat(run("train", "--data", data.toString(), "--model", "resnet").err()).contains("unknown model 'resnet'");
        assertThat(run("train", "--data", data.toString(), "--optimizer", "lbfgs").err()).contains("unknown optimizer 'lbfgs'");
        assertThat(run("train", "--data", data.toString(), "--epochs", "0").err()).contains("epochs must be >= 1");
        assertThat(run("train", "--data", data.toString(), "--dropout", "1.5").err()).contains("Dropout: probability must be in [0, 1), got 1.5");
    }

    @Test void divergingTrainingStopsWithTheStep() {
        Run r = run("train", "--data", data.toString(), "--optimizer", "sgd", "--lr", "1e30", "--schedule", "constant", "--no-progress");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("loss became (NaN|Infinity) at epoch 1, batch \\d+");
    }

    @Test void debugShowsTheStackTrace() {
        Run r = run("train", "--data", tmp.resolve("nowhere").toString(), "--debug");
        assertThat(r.err()).contains("\tat ");
    }
}
