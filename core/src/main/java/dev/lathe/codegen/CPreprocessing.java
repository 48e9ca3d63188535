package dev.lathe.codegen;

import dev.lathe.data.Preprocessing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A training run's {@link Preprocessing} as C constants in model.h, so firmware turns raw sensor
 * values or pixels into the model's input exactly as training did: per-input mean and std (a
 * one-hot input has mean 0 and std 1, and the comments say which column and value it stands for),
 * class names, and a regression output's scale back to the target's units.
 */
public final class CPreprocessing {
    private CPreprocessing() {}

    /** Inserts the constants before model.h's closing #endif (written atomically). */
    public static void addTo(Path header, Preprocessing p) throws IOException {
        String h = Files.readString(header);
        int end = h.lastIndexOf("#endif");
        if (end < 0) throw new IOException(header + ": no closing #endif to insert the preprocessing before");
        String text = h.substring(0, end) + text(p) + "\n" + h.substring(end);
        dev.lathe.io.AtomicFiles.write(header, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The C text: a comment block and static const arrays, valid C99. */
    public static String text(Preprocessing p) {
        StringBuilder b = new StringBuilder("/* Preprocessing from training (lathe train --data); apply it to raw values before model_predict. */\n");
        switch (p) {
            case Preprocessing.Table t -> {
                int n = t.sampleShape()[0], at = 0;
                float[] mean = new float[n], std = new float[n];
                StringBuilder cols = new StringBuilder();
                for (Preprocessing.Column c : t.columns()) {
                    switch (c) {
                        case Preprocessing.Numeric num -> {
                            mean[at] = (float) num.mean();
                            std[at] = (float) num.std();
                            cols.append(String.format(Locale.ROOT, " *   in[%d] = (%s - %s) / %s%s\n", at, comment(c.name()), fl(num.mean()), fl(num.std()),
                                    Double.isNaN(num.fill()) ? "" : "   (missing: " + fl(num.fill()) + ")"));
                            at++;
                        }
                        case Preprocessing.Categorical k -> {
                            for (int j = 0; j < k.width(); j++) {
                                std[at + j] = 1;
                                cols.append(String.format(Locale.ROOT, " *   in[%d] = %s == \"%s\" ? 1 : 0\n", at + j, comment(c.name()), comment(k.vocabulary().get(j))));
                            }
                            at += k.width();
                        }
                    }
                }
                b.append("/* A table row: in[i] = (raw[i] - model_input_mean[i]) / model_input_std[i], one input per numeric column and one per\n")
                        .append(" * value of a text column (1 for the row's value, 0 otherwise; a value training did not see: all 0):\n").append(cols).append(" */\n");
                b.append(array("model_input_mean", mean)).append(array("model_input_std", std));
            }
            case Preprocessing.Images im -> b.append(String.format(Locale.ROOT,
                    "/* An image: %d channel(s), %dx%d, channels first; in = (pixel / 255 - MODEL_INPUT_MEAN) / MODEL_INPUT_STD%s. */\n"
                            + "#define MODEL_INPUT_MEAN %sf\n#define MODEL_INPUT_STD %sf\n",
                    im.channels(), im.height(), im.width(), im.channels() == 1 ? " (gray = 0.299 R + 0.587 G + 0.114 B)" : " (R, G, B planes)",
                    fl(im.mean()), fl(im.std())));
            case Preprocessing.Arrays a -> {
                float[] m = new float[a.mean().length], s = new float[a.std().length];
                for (int i = 0; i < m.length; i++) {
                    m[i] = (float) a.mean()[i];
                    s[i] = (float) a.std()[i];
                }
                b.append(m.length == 1 ? "/* in[i] = (raw[i] - model_input_mean[0]) / model_input_std[0] */\n" : "/* in[i] = (raw[i] - model_input_mean[i]) / model_input_std[i] */\n")
                        .append(array("model_input_mean", m)).append(array("model_input_std", s));
            }
        }
        switch (p.target()) {
            case Preprocessing.Classes c -> {
                b.append("/* out[k] is the logit of class model_class_names[k] ('").append(comment(c.column())).append("'). */\n");
                b.append("static const char *const model_class_names[").append(c.names().size()).append("] = {");
                for (int k = 0; k < c.names().size(); k++) b.append(k == 0 ? "" : ", ").append(cString(c.names().get(k)));
                b.append("};\n");
            }
            case Preprocessing.Regression r -> b.append(String.format(Locale.ROOT,
                    "/* '%s' = out[0] * MODEL_TARGET_STD + MODEL_TARGET_MEAN */\n#define MODEL_TARGET_MEAN %sf\n#define MODEL_TARGET_STD %sf\n",
                    comment(r.column()), fl(r.mean()), fl(r.std())));
        }
        return b.toString();
    }

    private static String array(String name, float[] v) {
        StringBuilder b = new StringBuilder("static const float " + name + "[" + v.length + "] = {");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(fl(v[i])).append('f');
        return b.append("};\n").toString();
    }

    /** Shortest float text that reads back to the same float. */
    private static String fl(double v) {
        String s = Float.toString((float) v);
        return s.contains("E") ? String.format(Locale.ROOT, "%.9e", (float) v) : s;
    }

    /** Text safe inside a C comment. */
    private static String comment(String s) { return s.replace("*/", "* /").replace("\n", " "); }

    /** A C string literal. */
    private static String cString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') b.append('\\').append(ch);
            else if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\%03o", (int) ch & 0xff));
            else b.append(ch);
        }
        return b.append('"').toString();
    }
}
