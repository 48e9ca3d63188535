package dev.lathe.cli;

import dev.lathe.data.DataLoader;
import dev.lathe.data.Split;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.train.EpochResult;
import dev.lathe.train.History;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lathe bench train}: training throughput on the full Fashion-MNIST training set, measured
 * after one warm-up epoch (JIT compilation, first-touch allocation), as the peers in
 * ../shared/anchors measure theirs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {
        "Benchmarks.",
        "  train: 'result samples_per_second=N' on Fashion-MNIST after a warm-up epoch.",
        "  gemm:  'gemm threads T n N gflops G' for square SGEMM, n = 64..2048, 1 and 2 threads.",
        "  conv:  'conv NAME PASS threads T ms M gflops G' for Fashion CNN and MobileNetV2 layer shapes.",
        "  infer MODEL: batch-1 latency of the frozen model (a name, checkpoint or .onnx file), 'result p50_ms=.. p90_ms=.. throughput_per_s=..'."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "What to measure: train, gemm, conv, infer.")
    String what;
    @Parameters(index = "1", arity = "0..1", description = "infer: the model (a name, zoo name or checkpoint).")
    String inferModel;
    @picocli.CommandLine.Mixin ZooOptions zoo = new ZooOptions();
    @picocli.CommandLine.Option(names = "--sizes", split = ",", defaultValue = "64,128,256,512,1024,2048", description = "gemm: matrix sizes (default: ${DEFAULT-VALUE}).")
    int[] sizes;
    @picocli.CommandLine.Option(names = "--seconds", defaultValue = "1.0", description = "gemm, conv: measuring time per size or shape and pass (default: ${DEFAULT-VALUE}).")
    double seconds;
    @picocli.CommandLine.Option(names = "--profile", description = "infer: also print the mean time of each plan step (batch 1).")
    boolean profile;
    @picocli.CommandLine.Option(names = "--int8", description = "infer: also time the int8 session (calibrated on 100 random inputs: latency does not depend on the ranges) next to fp32, batch 1.")
    boolean int8;
    @picocli.CommandLine.Option(names = "--retune", description = "gemm: measure this host's GEMM blocking again (a few seconds) and cache it, before the benchmark.")
    boolean retune;
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (what.equals("gemm") || what.equals("conv")) {
            if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
            int[] threads = options.threads > 0 ? new int[] {options.threads} : new int[] {1, 2};
            if (what.equals("conv")) {
                ConvBench.run(out, threads, seconds);
                return 0;
            }
            for (int n : sizes) if (n < 1) throw new IllegalArgumentException("--sizes: matrix size must be >= 1, got " + n);
            if (retune) dev.lathe.io.HostTuning.apply(true, true, out::println);
            var caches = dev.lathe.kernels.GemmBlocking.hostCaches();
            out.printf(java.util.Locale.ROOT, "blocking host %s%n", dev.lathe.io.HostTuning.hostKey());
            out.printf(java.util.Locale.ROOT, "blocking caches L1d %s L2 %s (%s); from them: %s%n", caches.l1d() < 0 ? "?" : caches.l1d() / 1024 + "K",
                    caches.l2() < 0 ? "?" : caches.l2() / 1024 + "K", caches.source(), dev.lathe.kernels.GemmBlocking.forThisHost().describe());
            out.println("blocking in force: " + dev.lathe.kernels.Gemm.blocking().describe());
            GemmBench.run(out, sizes, threads, seconds);
            return 0;
        }
        if (what.equals("infer")) {
            if (inferModel == null) throw new IllegalArgumentException("bench infer needs a MODEL (e.g. cnn, mobilenet_v2, or a checkpoint)");
            // --batch (shared with train, default 64 there) means samples per call here, 1 unless given
            int inferBatch = spec.commandLine().getParseResult().hasMatchedOption("--batch") ? options.batch : 1;
            if (inferBatch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + inferBatch);
            InferBench.run(out, ModelSource.resolve(inferModel, zoo.input, zoo.classes, options), options.threads > 0 ? new int[] {options.threads} : new int[] {1, 2},
                    inferBatch, profile, int8);
            return 0;
        }
        if (!what.equals("train")) throw new IllegalArgumentException("unknown benchmark '" + what + "' (available: train, gemm, conv, infer)");
        if (CharRun.isCharModel(options.model)) {
            // the PyTorch peer's setup (../shared/anchors torch_charlstm.py): 3 x 256, embedding 64, batch 32, seq 100, Adam 2e-3, clip 5
            CharRun.Outcome c = CharRun.train(options, out);
            out.printf(Locale.ROOT, "bench train model %s val_bits_per_char %.4f seconds %.1f%n", options.model, c.bitsPerChar(), c.seconds());
            out.printf(Locale.ROOT, "result chars_per_second=%.0f%n", c.charsPerSecond());
            return 0;
        }
        TrainRun.applyThreads(options);
        Module model = TrainRun.model(options);
        Split data = TrainRun.data(options);
        Optimizer opt = Optimizer.named(options.optimizer, model.parameters(), options.lr, options.weightDecay);
        int measured = Math.max(1, options.epochs - 1);
        Trainer t = Trainer.builder(model, opt, LossFunction.crossEntropy()).epochs(1 + measured).listener(new EpochLines(out)).build();
        History h = t.fit(new DataLoader(data.first(), options.batch, true, options.seed, false), null);
        double samples = 0, seconds = 0;
        for (EpochResult r : h.epochs().subList(1, h.epochs().size())) {
            samples += r.samples();
            seconds += r.seconds();
        }
        double acc = t.evaluate(DataLoader.inOrder(data.second(), 1000)).accuracy();
        out.printf(Locale.ROOT, "bench train model %s batch %d threads %d measured_epochs %d test_acc %.4f%n",
                options.model, options.batch, dev.lathe.kernels.Parallel.threads(), measured, acc);
        out.printf(Locale.ROOT, "result samples_per_second=%.0f%n", samples / seconds);
        return 0;
    }
}
