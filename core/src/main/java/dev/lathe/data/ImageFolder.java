package dev.lathe.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in one sub-folder per class (root/cat/1.png, root/dog/2.jpg, ...), read with
 * javax.imageio (PNG, JPEG, BMP, GIF), resized bilinearly to height x width, as [channels, h, w]
 * floats in [0, 1]. Classes are the sub-folder names in sorted order.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** The dataset and the class name of each label. */
    public record Loaded(ArrayDataset data, List<String> classes) {}

    public static Loaded load(Path root, int height, int width, boolean grayscale) throws IOException {
        if (height < 1 || width < 1) throw new IllegalArgumentException("image folder: size " + height + "x" + width + " must be positive");
        if (!Files.isDirectory(root)) throw new NoSuchFileException(root.toString(), null, "image folder not found");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classDirs.isEmpty()) throw new IOException(root + ": no class sub-folders (expected root/CLASS/IMAGE)");
        List<String> classes = new ArrayList<>();
        List<float[]> samples = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int ch = grayscale ? 1 : 3;
        for (int c = 0; c < classDirs.size(); c++) {
            classes.add(classDirs.get(c).getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                files = s.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
            }
            if (files.isEmpty()) throw new IOException(classDirs.get(c) + ": empty class folder (no .png, .jpg, .jpeg, .bmp or .gif images); remove it or add images");
            for (Path f : files) {
                samples.add(pixels(f, height, width, grayscale));
                labels.add(c);
            }
        }
        if (samples.isEmpty()) throw new IOException(root + ": no images (.png, .jpg, .jpeg, .bmp, .gif) in the class folders");
        int size = ch * height * width;
        float[] x = new float[samples.size() * size];
        int[] y = new int[samples.size()];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(samples.get(i), 0, x, i * size, size);
            y[i] = labels.get(i);
        }
        return new Loaded(ArrayDataset.labelled(x, new int[] {ch, height, width}, y, classes.size()), List.copyOf(classes));
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp") || n.endsWith(".gif");
    }

    /** Whether a file name has an image extension this reader takes. */
    public static boolean isImageFile(Path p) { return isImage(p); }

    /** One image file as [channels, h, w] floats in [0, 1], resized bilinearly; an unreadable file is an IOException naming it. */
    public static float[] pixels(Path f, int h, int w, boolean gray) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": unreadable image (" + e.getMessage() + ")", e);
        }
        if (img == null) throw new IOException(f + ": unreadable image (not a format javax.imageio decodes)");
        return pixels(img, h, w, gray);
    }

    /** An image as [channels, h, w] floats in [0, 1], resized bilinearly (gray: luma 0.299 R + 0.587 G + 0.114 B). */
    public static float[] pixels(BufferedImage img, int h, int w, boolean gray) {
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        float[] out = new float[(gray ? 1 : 3) * h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int rgb = scaled.getRGB(j, i), r = (rgb >> 16) & 0xff, gr = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (gray) {
                    out[i * w + j] = (0.299f * r + 0.587f * gr + 0.114f * b) / 255f;
                } else {
                    out[i * w + j] = r / 255f;
                    out[(h + i) * w + j] = gr / 255f;
                    out[(2 * h + i) * w + j] = b / 255f;
                }
            }
        }
        return out;
    }
}
