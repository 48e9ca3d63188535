package dev.lathe.cli;

import dev.lathe.data.Preprocessing;
import dev.lathe.models.ModelConfig;
import dev.lathe.models.ModelSpec;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by train, demo and bench: model, optimizer and data settings. */
final class TrainOptions {
    @Option(names = "--model", defaultValue = "mlp", description = "Model: mlp, cnn, or a zoo model (resnet-mini, mobilenet_v2-mini, ...; see 'lathe zoo') (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", split = ",", defaultValue = "256,128", description = "Hidden layer sizes of the MLP (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "relu, leaky_relu, sigmoid, tanh (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--init", defaultValue = "auto", description = "Weight initializer: auto (He for ReLU, Xavier otherwise), he, he_normal, xavier, xavier_normal, lecun (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout after each hidden layer, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--epochs", defaultValue = "2", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum, nesterov, adam, adamw, rmsprop (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 penalty (decoupled for adamw) (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", description = "Learning-rate schedule: cosine (annealed per step to 0 over the run), constant, step (x0.5 every 5 epochs), exp (x0.9 per epoch) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--clip", defaultValue = "0", description = "Clip the gradient norm to this value; 0 = off (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for weights, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--val", defaultValue = "0.1", description = "Fraction of the training set held out for validation (default: ${DEFAULT-VALUE}).")
    double val;

    @Option(names = "--patience", defaultValue = "0", description = "Early stopping after this many epochs without improvement; 0 = off (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--checkpoint", description = "Write the best weights (safetensors) to this file.")
    Path checkpoint;

    @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist", paramLabel = "PATH",
            description = "Training data: a Fashion-MNIST IDX directory, a CSV/TSV table with a header, a folder of class sub-folders of images, "
                    + "a CIFAR-10 binary folder, a .npz (x, y), or x.npy with y.npy beside it (default: ${DEFAULT-VALUE}).")
    Path data;

    @Mixin DataOptions source = new DataOptions();

    @Option(names = "--from", paramLabel = "MODEL.onnx", description = "Fine-tune a pretrained ONNX image model (e.g. torchvision's resnet18 or mobilenet_v2 exported with "
            + "torch.onnx.export): its weights and BatchNorm statistics train on --data, its last dense layer is replaced to fit the data's classes, "
            + "and its input sets --image-size.")
    Path from;

    @Option(names = "--freeze-backbone", description = "With --from: train only the new classifier head.")
    boolean freezeBackbone;

    @Option(names = "--freeze", split = ",", paramLabel = "PREFIX", description = "Keep the parameters whose names start with PREFIX fixed (names: 'lathe summary MODEL.onnx').")
    java.util.List<String> freeze;

    /** With --from: the new head's node name and the ONNX file's SHA-256 (checked when the checkpoint is loaded). */
    String fromHead, fromSha256;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N training samples; 0 = all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--no-normalize", description = "Keep pixels in [0, 1] instead of standardizing with the training set's mean and std.")
    boolean noNormalize;

    @Option(names = "--corpus", defaultValue = "/usr/include/linux", description = "Text corpus (file or directory) for char-lstm, char-gru, char-rnn (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--layers", defaultValue = "2", description = "Recurrent layers of a char model (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--seq", defaultValue = "100", description = "Characters per truncated-backprop chunk of a char model (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--embed", defaultValue = "64", description = "Embedding size of a char model (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--max-seconds", defaultValue = "0", description = "Stop training a char model after this many seconds; 0 = run all --epochs (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--save", paramLabel = "FILE", description = "Write a full checkpoint (weights, optimizer state, epoch, settings) after every epoch, for --resume.")
    Path save;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue the run saved in this checkpoint (its model and training settings apply) up to --epochs.")
    Path resume;

    @Option(names = "--augment", defaultValue = "0", paramLabel = "PAD",
            description = "Augment training images: random crop of the image zero-padded by PAD pixels, and random horizontal flip (seeded); 0 = off (default: ${DEFAULT-VALUE}).")
    int augment;

    @Option(names = "--threads", defaultValue = "0", description = "Kernel threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--no-progress", description = "Print one line per epoch instead of a progress bar.")
    boolean noProgress;

    @Option(names = "--debug", description = "Print stack traces on errors.")
    boolean debug;

    /** The training set's mean and std the inputs were standardized with (set when the data loads). */
    double inputMean, inputStd;

    /**
     * For the engineer's own data (set when it loads, or from a checkpoint): the sample shape, the
     * outputs, and the preprocessing fitted on the training split; null/0 for Fashion-MNIST.
     */
    int[] sample;
    int outputs;
    Preprocessing preprocessing;

    /** The options given on the command line (own data picks other defaults for those that were not). */
    java.util.Set<String> given = java.util.Set.of();

    boolean given(String option) { return given.contains(option); }

    /** The sample shape the model takes: the data's, else the named model's Fashion-MNIST default. */
    int[] sampleShape() {
        if (sample != null) return sample.clone();
        return model.equals("classic-cnn") ? new int[] {3, 32, 32} : ModelSpec.FASHION_SAMPLE.clone();
    }

    int outputCount() { return outputs > 0 ? outputs : 10; }

    /** The settings that rebuild the model and repeat the run: a checkpoint's architecture description. */
    java.util.Map<String, String> spec() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        // the architecture: the core's one description of it (a fine-tuned ONNX graph: the file, checked by its hash)
        if (from != null) new ModelConfig.FineTuned(from.toAbsolutePath().toString(), fromSha256, fromHead).write(m);
        else ModelConfig.named(model, hidden, activation, init, dropout).write(m);
        m.put("batch", Integer.toString(batch));
        m.put("optimizer", optimizer);
        m.put("lr", Double.toString(lr));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("schedule", schedule);
        m.put("clip", Double.toString(clip));
        m.put("seed", Long.toString(seed));
        m.put("val", Double.toString(val));
        m.put("limit", Integer.toString(limit));
        m.put("augment", Integer.toString(augment));
        m.put("normalize", Boolean.toString(!noNormalize));
        // the standardization the model was trained behind, so a deployed model can apply it (predict.Predictor)
        if (!noNormalize && inputStd > 0) {
            m.put("input_mean", Double.toString(inputMean));
            m.put("input_std", Double.toString(inputStd));
        }
        if (preprocessing != null) {
            m.put("input", ModelSpec.sampleText(sample));
            m.put("outputs", Integer.toString(outputs));
            m.put("task", preprocessing.task());
            m.put(Preprocessing.SPEC_KEY, Preprocessing.write(preprocessing));
            source.putSpec(m, data);
        }
        return m;
    }

    /** Takes the settings of a checkpoint's spec (all of {@link #spec()}'s keys must be there). */
    void applySpec(java.util.Map<String, String> m, String source) {
        java.util.function.Function<String, String> get = k -> {
            String v = m.get(k);
            if (v == null) throw new IllegalArgumentException(source + ": checkpoint lacks setting '" + k + "'");
            return v;
        };
        try {
            // the architecture through the core's reader; the options of other models keep their defaults
            switch (ModelConfig.read(m, source)) {
                case ModelConfig.Mlp mlp -> {
                    hidden = mlp.hidden();
                    activation = mlp.activation();
                    init = mlp.init();
                    dropout = mlp.dropout();
                }
                case ModelConfig.FineTuned f -> {
                    from = Path.of(f.from());
                    fromSha256 = f.sha256();
                    fromHead = f.head();
                }
                case ModelConfig.Cnn c -> { }
                case ModelConfig.ClassicCnn c -> { }
                case ModelConfig.ZooModel z -> { }
                case ModelConfig.Char c -> throw new IllegalArgumentException(source + ": holds a " + c.name() + " model; its run is CharRun's");
            }
            model = get.apply("model");
            batch = Integer.parseInt(get.apply("batch"));
            optimizer = get.apply("optimizer");
            lr = Double.parseDouble(get.apply("lr"));
            weightDecay = Double.parseDouble(get.apply("weight_decay"));
            schedule = get.apply("schedule");
            clip = Double.parseDouble(get.apply("clip"));
            seed = Long.parseLong(get.apply("seed"));
            val = Double.parseDouble(get.apply("val"));
            limit = Integer.parseInt(get.apply("limit"));
            augment = Integer.parseInt(get.apply("augment"));
            noNormalize = !Boolean.parseBoolean(get.apply("normalize"));
            if (m.containsKey(Preprocessing.SPEC_KEY)) {
                preprocessing = Preprocessing.read(m.get(Preprocessing.SPEC_KEY), source);
                sample = ModelSpec.sample(m, source);
                outputs = ModelSpec.outputs(m, source);
                this.source.applySpec(m);
                // the data it was trained on, unless another --data was given (the Fashion default stands for none)
                if (this.source.trainedOn != null && (data == null || TrainRun.isFashion(data))) data = this.source.trainedOn;
            }
            if (m.containsKey("input_std")) {
                inputMean = Double.parseDouble(m.get("input_mean"));
                inputStd = Double.parseDouble(m.get("input_std"));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": checkpoint setting is not a number: " + e.getMessage());
        }
    }
}
