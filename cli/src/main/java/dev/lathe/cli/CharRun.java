package dev.lathe.cli;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.CharBatches;
import dev.lathe.data.CharCorpus;
import dev.lathe.models.CharModel;
import dev.lathe.models.ModelConfig;
import dev.lathe.nn.Recurrent;
import dev.lathe.optim.GradClip;
import dev.lathe.optim.Optimizer;
import dev.lathe.train.Checkpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Character-level language models on a text corpus: stateful training with truncated backprop through time, bits per character, sampling. */
final class CharRun {
    private CharRun() {}

    static boolean isCharModel(String model) { return model.startsWith("char-"); }

    static Recurrent.Kind kind(String model) {
        return switch (model) {
            case "char-lstm" -> Recurrent.Kind.LSTM;
            case "char-gru" -> Recurrent.Kind.GRU;
            case "char-rnn" -> Recurrent.Kind.RNN;
            default -> throw new IllegalArgumentException("unknown model '" + model + "' (char-lstm, char-gru, char-rnn)");
        };
    }

    record Outcome(CharModel model, double valLoss, double charsPerSecond, double seconds, long steps) {
        double bitsPerChar() { return valLoss / Math.log(2); }
    }

    static Outcome train(TrainOptions o, PrintWriter out) throws IOException {
        TrainRun.applyThreads(o);
        if (o.seq < 1 || o.layers < 1 || o.embed < 1) throw new IllegalArgumentException("--seq, --layers and --embed must be positive");
        CharCorpus corpus = CharCorpus.read(o.corpus);
        out.printf("lathe: corpus %s: %,d characters from %d files, vocabulary %d%s%n", o.corpus, corpus.text().length(), corpus.files().size(),
                corpus.vocabulary().length, corpus.skipped().isEmpty() ? "" : "; skipped " + corpus.skipped().size() + " binary file(s): " + corpus.skipped());
        int[] ids = corpus.encode();
        int cut = (int) (ids.length * (1 - o.val));
        CharBatches train = new CharBatches(java.util.Arrays.copyOfRange(ids, 0, cut), o.batch, o.seq);
        int[] valIds = java.util.Arrays.copyOfRange(ids, cut, ids.length);
        CharModel model = new CharModel(corpus.vocabulary(), kind(o.model), o.embed, o.hidden[0], o.layers, o.dropout, o.seed);
        Optimizer opt = Optimizer.named(o.optimizer, model.parameters(), o.lr, o.weightDecay);
        out.printf("lathe: %s, %,d parameters, %s lr %s, batch %d x %d characters, clip %s%n", model, model.parameterCount(), opt.name(), o.lr, o.batch, o.seq, o.clip);
        long t0 = System.nanoTime(), steps = 0, chars = 0;
        double lastReport = 0;
        boolean timeUp = false;
        for (int epoch = 1; epoch <= o.epochs && !timeUp; epoch++) {
            Recurrent.State state = null;
            model.train();
            for (int k = 0; k < train.count(); k++) {
                if (o.seconds > 0 && (System.nanoTime() - t0) / 1e9 >= o.seconds) {
                    timeUp = true;
                    break;
                }
                opt.zeroGrad();
                CharModel.Step st = model.run(train.inputs(k), o.batch, o.seq, state == null ? null : state.detach());
                Variable loss = Ops.softmaxCrossEntropy(st.logits(), train.targets(k));
                double lv = loss.data().item();
                if (!Double.isFinite(lv)) throw new dev.lathe.train.TrainingDivergedException(lv, epoch, k + 1, opt.steps() + 1, opt.learningRate());
                loss.backward();
                if (o.clip > 0) GradClip.byNorm(opt.parameters(), o.clip);
                opt.step();
                state = st.state();
                steps++;
                chars += (long) o.batch * o.seq;
                double el = (System.nanoTime() - t0) / 1e9;
                if (el - lastReport >= 10) {
                    lastReport = el;
                    out.printf(Locale.ROOT, "epoch %d step %d/%d  loss %.4f (%.3f bits/char)  %,.0f chars/s%n", epoch, k + 1, train.count(), lv, lv / Math.log(2), chars / el);
                    out.flush();
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double val = evaluate(model, valIds, o.seq);
        Outcome r = new Outcome(model, val, chars / seconds, seconds, steps);
        if (o.save != null) Checkpoint.save(o.save, spec(o, model), model, opt, 1);
        return r;
    }

    /**
     * Mean cross-entropy (nats per character) on up to 200 chunks of {@code seq} characters from the
     * start of the validation stream, each from a zero state, dropout off: the PyTorch peer's
     * measure (../shared/anchors/torch_charlstm.py), so the two bits-per-character figures compare.
     */
    static double evaluate(CharModel model, int[] ids, int seq) {
        int chunks = Math.min(200, (ids.length - 1) / seq);
        if (chunks < 1) throw new IllegalArgumentException("validation text has " + ids.length + " characters, fewer than one chunk of " + (seq + 1));
        int[] x = new int[chunks * seq], y = new int[chunks * seq];
        System.arraycopy(ids, 0, x, 0, x.length);
        System.arraycopy(ids, 1, y, 0, y.length);
        boolean was = model.isTraining();
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            return Ops.softmaxCrossEntropy(model.run(x, chunks, seq, null).logits(), y).data().item();
        } finally {
            if (was) model.train();
        }
    }

    static Map<String, String> spec(TrainOptions o, CharModel m) {
        Map<String, String> s = new LinkedHashMap<>();
        new ModelConfig.Char(kind(o.model), m.vocabulary(), o.embed, o.hidden[0], o.layers, o.dropout).write(s);
        s.put("optimizer", o.optimizer);
        return s;
    }

    /** A char model saved by {@code lathe train --model char-... --save FILE}. */
    static CharModel load(Path file) throws IOException {
        Checkpoint c = Checkpoint.load(file);
        Map<String, String> s = c.spec();
        if (!isCharModel(s.getOrDefault("model", ""))) throw new IllegalArgumentException(file + ": holds a '" + s.get("model") + "' model, not a char model");
        CharModel m = (CharModel) ModelConfig.read(s, file.toString()).build(null, 0, 0);
        m.loadStateDict(c.weights());
        return m;
    }

    static void printResult(PrintWriter out, Outcome r) {
        out.printf(Locale.ROOT, "result val_loss=%.4f val_bits_per_char=%.4f chars_per_second=%.0f train_seconds=%.1f steps=%d%n",
                r.valLoss(), r.bitsPerChar(), r.charsPerSecond(), r.seconds(), r.steps());
    }

    static String sample(CharModel m, String prime, int length, double temperature, int topK, long seed) {
        return m.generate(prime, length, temperature, topK, new Random(seed));
    }
}
