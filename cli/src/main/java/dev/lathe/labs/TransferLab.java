package dev.lathe.labs;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.io.AtomicFiles;
import dev.lathe.models.Cnn;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import dev.lathe.train.EpochResult;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import dev.lathe.train.TrainingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * Transfer learning on Fashion-MNIST: the Fashion CNN is pre-trained on classes 0-4 (T-shirt,
 * trouser, pullover, dress, coat), then given only 100 labelled images of each of classes 5-9
 * (sandal, shirt, sneaker, bag, ankle boot). Three ways to learn the new task from those 500:
 * from scratch; the pre-trained body frozen with a new head; and the new head plus the whole body
 * fine-tuned at a tenth of the learning rate. Scored on every test image of classes 5-9.
 */
final class TransferLab implements Lab {
    static final int[] SOURCE = {0, 1, 2, 3, 4}, TARGET = {5, 6, 7, 8, 9};
    static final int HEAD = 9;  // index of the last Linear in Cnn.fashion

    @Override public String name() { return "transfer"; }

    @Override public String description() { return "pre-train on Fashion classes 0-4, transfer to 5-9 with 100 images per class vs training from scratch"; }

    private record Variant(String key, String label, boolean pretrained, boolean freezeBody, double bodyLrScale) {}

    @Override public LabResult run(LabContext ctx) throws IOException {
        Split all = FashionMnist.load(ctx.dataDir());
        double[] ms = all.first().meanStd();
        ArrayDataset train = all.first().normalized(ms[0], ms[1]), test = all.second().normalized(ms[0], ms[1]);
        ArrayDataset source = train.selectClasses(SOURCE, ctx.size(0, 100));
        ArrayDataset few = train.selectClasses(TARGET, ctx.size(100, 20));
        ArrayDataset targetTest = test.selectClasses(TARGET, 0), curveTest = test.selectClasses(TARGET, ctx.size(200, 20));
        int pretrainEpochs = ctx.size(2, 1), epochs = ctx.size(15, 4);

        Sequential base = Cnn.fashion(ctx.seed());
        base.replace(HEAD, new Linear(128, SOURCE.length));
        base.resetParameters(new Random(ctx.seed()));
        Trainer pre = Trainer.builder(base, new Adam(base.parameters(), 1e-3), LossFunction.crossEntropy()).epochs(pretrainEpochs).build();
        pre.fit(new DataLoader(source, 64, true, ctx.seed(), false), null);
        double sourceAcc = pre.evaluate(DataLoader.inOrder(test.selectClasses(SOURCE, 0), 1000)).accuracy();
        var pretrained = base.stateDict();

        Variant[] variants = {new Variant("scratch", "from scratch", false, false, 1),
            new Variant("frozen", "pre-trained convolutions frozen, dense layers retrained", true, true, 1),
            new Variant("finetune", "pre-trained, all fine-tuned (convolutions at 0.1x lr)", true, false, 0.1)};
        XYChart c = Charts.xy("Classes 5-9 from " + few.size() + " images: test accuracy", "epoch", "test accuracy");
        LabResult r = new LabResult(name());
        StringBuilder csv = new StringBuilder("variant,epoch,test_accuracy\n");
        r.line(String.format(Locale.ROOT, "pre-trained %d epoch(s) on %,d images of classes 0-4: their test accuracy %.3f", pretrainEpochs, source.size(), sourceAcc));
        r.line(String.format(Locale.ROOT, "%-56s %s", "new task (classes 5-9, " + few.size() + " training images)", "test accuracy (" + targetTest.size() + " images)"));
        for (int k = 0; k < variants.length; k++) {
            Variant v = variants[k];
            Sequential m = Cnn.fashion(ctx.seed() + 1);
            m.replace(HEAD, new Linear(128, SOURCE.length));
            if (v.pretrained()) m.loadStateDict(pretrained);
            m.replace(HEAD, new Linear(128, TARGET.length));
            m.layers().get(HEAD).resetParameters(new Random(ctx.seed() + 2));
            // the feature extractor is the two convolutions (layers 0 and 3); the dense layers 7 and 9 classify
            if (v.freezeBody()) m.freeze("0.").freeze("3.");
            Adam opt = new Adam(m.parameters(), 1e-3);
            if (v.bodyLrScale() != 1) {
                List<dev.lathe.autograd.Variable> body = new ArrayList<>(m.parameters("0."));
                body.addAll(m.parameters("3."));
                opt.scaleLearningRate(body, v.bodyLrScale());
            }
            List<Double> curve = new ArrayList<>();
            Trainer[] holder = new Trainer[1];
            TrainingListener score = new TrainingListener() {
                @Override public void onEpochEnd(EpochResult e) { curve.add(holder[0].evaluate(DataLoader.inOrder(curveTest, 1000)).accuracy()); }
            };
            holder[0] = Trainer.builder(m, opt, LossFunction.crossEntropy()).epochs(epochs).listener(score).build();
            holder[0].fit(new DataLoader(few, 32, true, ctx.seed() + 3, false), null);
            double acc = holder[0].evaluate(DataLoader.inOrder(targetTest, 1000)).accuracy();
            double[] e = new double[curve.size()], a = curve.stream().mapToDouble(Double::doubleValue).toArray();
            for (int i = 0; i < e.length; i++) {
                e[i] = i + 1;
                csv.append(v.key()).append(',').append(i + 1).append(',').append(String.format(Locale.ROOT, "%.4f", a[i])).append('\n');
            }
            Charts.line(c, v.label(), e, a).setLineColor(Charts.palette(k));
            r.line(String.format(Locale.ROOT, "%-56s %.3f  (%,d trained parameters)", v.label(), acc, m.trainableParameterCount()));
            r.number(v.key() + "_test_accuracy", acc);
        }
        r.number("source_test_accuracy", sourceAcc).number("few_shot_images", few.size());
        r.line("(curves: accuracy on " + curveTest.size() + " test images after each epoch; the table: all " + targetTest.size() + ")");
        var csvFile = ctx.file(name(), "curves.csv");
        AtomicFiles.write(csvFile, o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        r.file(csvFile);
        r.file(Charts.save(c, ctx.file(name(), "curves.png")));
        return r;
    }
}
