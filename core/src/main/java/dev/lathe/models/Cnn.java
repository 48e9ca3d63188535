package dev.lathe.models;

import dev.lathe.nn.Activation;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Pool2d;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.Shape;
import java.util.Random;

/** The course's convolutional networks. */
public final class Cnn {
    private Cnn() {}

    /**
     * The Fashion-MNIST CNN, input [N, 1, 28, 28]: conv 32 3x3 pad 1, ReLU, max-pool 2, conv 64 3x3
     * pad 1, ReLU, max-pool 2, flatten (3,136), dense 128, ReLU, dense 10 (logits).
     */
    public static Sequential fashion(long seed) { return fashion(1, 28, 28, 10, seed); }

    /**
     * The same architecture for other images, input [N, channels, height, width] (each side at least 4):
     * the flatten holds 64 x (height/4) x (width/4) values.
     */
    public static Sequential fashion(int channels, int height, int width, int classes, long seed) {
        if (channels < 1 || height < 4 || width < 4 || classes < 1) {
            throw new IllegalArgumentException("cnn: needs images of at least 1x4x4 and a class count >= 1, got " + channels + "x" + height + "x" + width + ", " + classes + " classes");
        }
        Sequential m = new Sequential(
                Conv2d.builder(channels, 32, 3).padding(1).build(), Activation.relu(), Pool2d.max(2),
                Conv2d.builder(32, 64, 3).padding(1).build(), Activation.relu(), Pool2d.max(2),
                new Flatten(), new Linear(64 * (height / 2 / 2) * (width / 2 / 2), 128), Activation.relu(), new Linear(128, classes));
        m.resetParameters(new Random(seed));
        return m;
    }

    public static final Shape FASHION_INPUT = Shape.batchOf(1, 28, 28);

    /**
     * The "classical CNN architecture" of the course slide, input [N, 3, 32, 32]: conv 16 5x5 same,
     * ReLU, max-pool 2, conv 32 5x5 same, ReLU, max-pool 2, flatten (2,048), dense 128, ReLU, dense 10.
     *
     * <p>Values per layer match the slide: 3,072 / 16,384 / 4,096 / 8,192 / 2,048 / 2,048 / 128 / 10.
     * Parameters differ for the convolutions: the slide counts 416 = 16 x (5x5 + 1) and
     * 832 = 32 x (5x5 + 1), i.e. each filter seeing a single input channel. A convolution's filter
     * spans every input channel, so the counts are 16 x (3x5x5 + 1) = 1,216 and
     * 32 x (16x5x5 + 1) = 12,832. The dense layers agree: 262,272 and 1,290.
     */
    public static Sequential classic(long seed) {
        Sequential m = new Sequential(
                Conv2d.builder(3, 16, 5).same().build(), Activation.relu(), Pool2d.max(2),
                Conv2d.builder(16, 32, 5).same().build(), Activation.relu(), Pool2d.max(2),
                new Flatten(), new Linear(2048, 128), Activation.relu(), new Linear(128, 10));
        m.resetParameters(new Random(seed));
        return m;
    }

    public static final Shape CLASSIC_INPUT = Shape.batchOf(3, 32, 32);
}
