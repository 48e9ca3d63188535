package dev.lathe.data;

import java.util.Random;

/**
 * Training-time augmentation of [C, H, W] image samples: a random crop of the zero-padded image
 * (shift by up to {@code pad} pixels each way) and a random horizontal flip. Draws come from one
 * generator seeded at construction; a DataLoader visits samples in a seeded order, so runs repeat.
 * Use only on the training set.
 */
public final class Augmented implements Dataset {
    private final Dataset base;
    private final int pad;
    private final boolean flip;
    private final Random rnd;
    private final int c, h, w;
    private float[] scratch;

    public Augmented(Dataset base, int pad, boolean flip, long seed) {
        int[] s = base.sampleShape();
        if (s.length != 3) throw new IllegalArgumentException("augment: samples must be [channels, height, width], got " + java.util.Arrays.toString(s));
        if (pad < 0 || pad >= Math.min(s[1], s[2])) throw new IllegalArgumentException("augment: crop padding " + pad + " must be in [0, " + Math.min(s[1], s[2]) + ")");
        this.base = base;
        this.pad = pad;
        this.flip = flip;
        this.rnd = new Random(seed);
        this.c = s[0];
        this.h = s[1];
        this.w = s[2];
    }

    @Override public void copySample(int i, float[] dst, int offset) {
        if (scratch == null) scratch = new float[c * h * w];
        base.copySample(i, scratch, 0);
        int dy = pad == 0 ? 0 : rnd.nextInt(2 * pad + 1) - pad, dx = pad == 0 ? 0 : rnd.nextInt(2 * pad + 1) - pad;
        boolean mirror = flip && rnd.nextBoolean();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = (mirror ? w - 1 - x : x) + dx;
                    dst[offset + (ch * h + y) * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f : scratch[(ch * h + sy) * w + sx];
                }
            }
        }
    }

    @Override public int size() { return base.size(); }

    @Override public int[] sampleShape() { return base.sampleShape(); }

    @Override public int[] targetShape() { return base.targetShape(); }

    @Override public void copyTarget(int i, float[] dst, int offset) { base.copyTarget(i, dst, offset); }

    @Override public int label(int i) { return base.label(i); }

    @Override public int classes() { return base.classes(); }
}
