package dev.lathe.compress;

import dev.lathe.autograd.Variable;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.train.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning with masks (Han et al. 2015, "Learning both Weights and Connections"): the
 * weights of every Linear and Conv2d layer carry a 0/1 mask; pruning turns mask entries off by
 * magnitude — per layer at a quality factor (threshold = q x std-dev of the layer's surviving
 * weights), per layer to a sparsity, globally (one threshold for all layers), or structured
 * (whole output neurons / channels by the L2 norm of their weights). Masks only ever remove
 * weights, survivors keep their values, and {@link #keepApplied} re-applies the masks after every
 * optimizer step so that retraining cannot revive a pruned weight. Biases are not pruned.
 */
public final class Pruning {
    /** One prunable weight: its module, its parameter, its mask (1 = kept), and its rows (outputs) x row length. */
    public record Layer(String name, Module module, Variable weight, float[] mask, int rows, int rowLength) {
        public int kept() {
            int n = 0;
            for (float m : mask) if (m != 0) n++;
            return n;
        }

        public int size() { return mask.length; }

        public double sparsity() { return 1 - (double) kept() / size(); }
    }

    private final Module model;
    private final Map<String, Layer> layers = new LinkedHashMap<>();

    private Pruning(Module model) {
        this.model = model;
        collect("", model);
        if (layers.isEmpty()) throw new IllegalArgumentException("pruning: " + model + " has no Linear or Conv2d weights");
    }

    /**
     * Masks for every Linear and Conv2d weight of the model; weights that are exactly zero already
     * (a pruned checkpoint loaded back) start masked, so pruning continues where it stopped.
     */
    public static Pruning of(Module model) { return new Pruning(model); }

    private void collect(String prefix, Module m) {
        if (m instanceof Linear || m instanceof Conv2d) {
            Variable w = m instanceof Linear l ? l.weight() : ((Conv2d) m).weight();
            int rows = w.shape()[0], n = w.data().numel();
            float[] mask = new float[n], data = w.data().floatData();
            for (int i = 0; i < n; i++) mask[i] = data[i] == 0 ? 0f : 1f;
            String name = prefix.isEmpty() ? "weight" : prefix;
            layers.put(name, new Layer(name, m, w, mask, rows, n / rows));
        }
        for (Map.Entry<String, Module> e : m.children().entrySet()) collect(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue());
    }

    public List<Layer> layers() { return List.copyOf(layers.values()); }

    public Layer layer(String name) {
        Layer l = layers.get(name);
        if (l == null) throw new IllegalArgumentException("pruning: no prunable layer '" + name + "' (layers: " + layers.keySet() + ")");
        return l;
    }

    /** Fraction of all prunable weights that are masked. */
    public double sparsity() {
        long kept = 0, all = 0;
        for (Layer l : layers.values()) {
            kept += l.kept();
            all += l.size();
        }
        return 1 - (double) kept / all;
    }

    /** Han et al.'s rule, per layer: mask every surviving weight with |w| < quality x std-dev of the layer's surviving weights. */
    public Pruning pruneByQuality(double quality) {
        if (!(quality >= 0) || Double.isInfinite(quality)) throw new IllegalArgumentException("pruning: quality factor must be >= 0 and finite, got " + quality);
        for (Layer l : layers.values()) {
            float[] w = l.weight().data().floatData();
            double sum = 0, sq = 0;
            int n = 0;
            for (int i = 0; i < w.length; i++) {
                if (l.mask()[i] == 0) continue;
                sum += w[i];
                sq += (double) w[i] * w[i];
                n++;
            }
            if (n == 0) continue;
            double mean = sum / n, std = Math.sqrt(Math.max(0, sq / n - mean * mean)), t = quality * std;
            for (int i = 0; i < w.length; i++) if (Math.abs(w[i]) < t) l.mask()[i] = 0f;
        }
        return apply();
    }

    /** Every layer to (at least) the given fraction of its weights masked, smallest magnitudes first. */
    public Pruning pruneEachLayerTo(double sparsity) {
        checkFraction(sparsity);
        for (Layer l : layers.values()) pruneLayerTo(l.name(), sparsity);
        return apply();
    }

    /** One layer to (at least) the given sparsity (the sensitivity sweep prunes layers one at a time). */
    public Pruning pruneLayerTo(String name, double sparsity) {
        checkFraction(sparsity);
        Layer l = layer(name);
        int target = (int) Math.round(sparsity * l.size()) - (l.size() - l.kept());
        if (target > 0) maskSmallest(List.of(l), target);
        return apply();
    }

    /** One magnitude threshold across all layers, so that the given fraction of all prunable weights is masked. */
    public Pruning pruneGlobalTo(double sparsity) {
        checkFraction(sparsity);
        long all = 0, kept = 0;
        for (Layer l : layers.values()) {
            all += l.size();
            kept += l.kept();
        }
        long target = Math.round(sparsity * all) - (all - kept);
        if (target > 0) maskSmallest(layers.values(), target);
        return apply();
    }

    /**
     * Structured pruning of one layer: the given fraction of its output neurons (Linear rows) or
     * channels (Conv2d filters) with the smallest L2 norm are masked whole. Their MACs can really be
     * skipped (a smaller dense layer), unlike scattered zeros.
     */
    public Pruning pruneRowsTo(String name, double fraction) {
        checkFraction(fraction);
        Layer l = layer(name);
        float[] w = l.weight().data().floatData();
        Integer[] order = new Integer[l.rows()];
        double[] norm = new double[l.rows()];
        for (int r = 0; r < l.rows(); r++) {
            order[r] = r;
            for (int j = 0; j < l.rowLength(); j++) {
                int i = r * l.rowLength() + j;
                if (l.mask()[i] != 0) norm[r] += (double) w[i] * w[i];
            }
        }
        Arrays.sort(order, (a, b) -> Double.compare(norm[a], norm[b]) != 0 ? Double.compare(norm[a], norm[b]) : Integer.compare(a, b));
        int drop = (int) Math.round(fraction * l.rows());
        for (int k = 0; k < drop; k++) Arrays.fill(l.mask(), order[k] * l.rowLength(), (order[k] + 1) * l.rowLength(), 0f);
        return apply();
    }

    /** Masks the {@code count} surviving weights of smallest magnitude among the layers (ties at the threshold: earlier layer, lower index first). */
    private static void maskSmallest(java.util.Collection<Layer> among, long count) {
        long alive = 0;
        for (Layer l : among) alive += l.kept();
        if (count <= 0 || alive == 0) return;
        float[] mags = new float[Math.toIntExact(alive)];
        int at = 0;
        for (Layer l : among) {
            float[] w = l.weight().data().floatData();
            for (int i = 0; i < w.length; i++) if (l.mask()[i] != 0) mags[at++] = Math.abs(w[i]);
        }
        Arrays.sort(mags);
        float t = mags[(int) Math.min(count, alive) - 1];
        long below = 0;
        for (float v : mags) if (v < t) below++;
        long atThreshold = Math.min(count, alive) - below;  // how many of the weights equal to t go too
        for (Layer l : among) {
            float[] w = l.weight().data().floatData(), m = l.mask();
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0) continue;
                float v = Math.abs(w[i]);
                if (v < t) m[i] = 0f;
                else if (v == t && atThreshold > 0) {
                    m[i] = 0f;
                    atThreshold--;
                }
            }
        }
    }

    private static void checkFraction(double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException("pruning: sparsity must be in [0, 1), got " + f);
    }

    /**
     * The sparsity after each of {@code steps} prune-and-retrain rounds reaching {@code target}: each
     * round removes the same fraction of the surviving weights, kept_k = (1 - target)^(k / steps).
     */
    public static double[] iterativeTargets(double target, int steps) {
        checkFraction(target);
        if (steps < 1) throw new IllegalArgumentException("pruning: steps must be >= 1, got " + steps);
        double[] t = new double[steps];
        for (int k = 1; k <= steps; k++) t[k - 1] = k == steps ? target : 1 - Math.pow(1 - target, (double) k / steps);
        return t;
    }

    /** Zeroes every masked weight (survivors untouched). */
    public Pruning apply() {
        for (Layer l : layers.values()) {
            float[] w = l.weight().data().floatData(), m = l.mask();
            for (int i = 0; i < w.length; i++) if (m[i] == 0) w[i] = 0f;
        }
        return this;
    }

    /** A training listener that re-applies the masks after every optimizer step (retraining keeps pruned weights at zero). */
    public TrainingListener keepApplied() {
        return new TrainingListener() {
            @Override public void onBatch(int epoch, int batch, double loss, int samples) { apply(); }
        };
    }

    /**
     * Han et al.'s dropout adjustment for retraining a sparser network: each Dropout of a Sequential
     * gets p x sqrt(C_after / C_before), with C the connections of the next prunable layer (the one
     * the dropped values feed) and C_before its full size. Returns how many Dropout layers changed.
     */
    public int rescaleDropout(Map<Dropout, Double> originalRates) {
        int changed = 0;
        for (Module m : containers(model)) {
            List<Module> seq = ((Sequential) m).layers();
            for (int i = 0; i < seq.size(); i++) {
                if (!(seq.get(i) instanceof Dropout d)) continue;
                for (int j = i + 1; j < seq.size(); j++) {
                    Layer next = byModule(seq.get(j));
                    if (next == null) continue;
                    double p0 = originalRates.computeIfAbsent(d, Dropout::probability);
                    d.setProbability(p0 * Math.sqrt((double) next.kept() / next.size()));
                    changed++;
                    break;
                }
            }
        }
        return changed;
    }

    /** One layer's storage and work: dense fp32 bytes, CSR bytes (index overhead included), MACs dense and on the kept weights. */
    public record LayerReport(String name, String layer, int weights, int kept, long denseBytes, long sparseBytes, long macs, long keptMacs, int deadRows) {
        public double sparsity() { return 1 - (double) kept / weights; }
    }

    /**
     * Storage of a weight matrix (rows = outputs) in CSR: 4-byte values, 2-byte column indices
     * (4-byte when a row is longer than 65,536), 4-byte row pointers.
     */
    public static long csrBytes(int kept, int rows, int rowLength) {
        return kept * (4L + (rowLength > 65_536 ? 4 : 2)) + 4L * (rows + 1);
    }

    /** Per layer at one sample of the input shape; each weight is used the same number of times, so kept MACs = MACs x kept / weights. */
    public List<LayerReport> report(dev.lathe.tensor.Shape input) {
        Map<Module, dev.lathe.tensor.Shape> in = new java.util.IdentityHashMap<>();
        inputShapes(model, input.with(0, 1), in);
        List<LayerReport> out = new ArrayList<>();
        for (Layer l : layers.values()) {
            dev.lathe.tensor.Shape s = in.get(l.module());
            long macs = s == null ? 0 : l.module().macs(s);
            int dead = 0;
            for (int r = 0; r < l.rows(); r++) {
                boolean any = false;
                for (int j = 0; j < l.rowLength() && !any; j++) any = l.mask()[r * l.rowLength() + j] != 0;
                if (!any) dead++;
            }
            out.add(new LayerReport(l.name(), l.module().toString(), l.size(), l.kept(), 4L * l.size(), csrBytes(l.kept(), l.rows(), l.rowLength()),
                    macs, Math.round((double) macs * l.kept() / l.size()), dead));
        }
        return out;
    }

    /** The report as a table with totals; storage saved is stated apart from MACs actually skipped (none: the kernels are dense). */
    public String describe(dev.lathe.tensor.Shape input) {
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%-14s %-34s %11s %11s %8s %12s %12s %13s %13s %5s%n",
                "layer", "type", "weights", "kept", "sparsity", "dense bytes", "CSR bytes", "MACs", "MACs on kept", "dead"));
        long w = 0, k = 0, db = 0, sb = 0, macs = 0, km = 0;
        for (LayerReport r : report(input)) {
            b.append(String.format(java.util.Locale.ROOT, "%-14s %-34s %,11d %,11d %7.1f%% %,12d %,12d %,13d %,13d %5d%n",
                    r.name(), r.layer(), r.weights(), r.kept(), 100 * r.sparsity(), r.denseBytes(), r.sparseBytes(), r.macs(), r.keptMacs(), r.deadRows()));
            w += r.weights();
            k += r.kept();
            db += r.denseBytes();
            sb += Math.min(r.denseBytes(), r.sparseBytes());
            macs += r.macs();
            km += r.keptMacs();
        }
        b.append(String.format(java.util.Locale.ROOT, "total: %,d of %,d weights kept (%.1f%% pruned); weight storage %,d -> %,d bytes (CSR where smaller, index overhead included: %.1fx)%n",
                k, w, 100 * (1 - (double) k / w), db, sb, (double) db / sb));
        b.append(String.format(java.util.Locale.ROOT, "MACs per sample: %,d, of which %,d on kept weights (%.1f%%); skipped by Lathe's dense kernels: 0 (dead rows are whole neurons/channels a smaller layer would drop)%n",
                macs, km, 100.0 * km / Math.max(1, macs)));
        return b.toString();
    }

    private static void inputShapes(Module m, dev.lathe.tensor.Shape in, Map<Module, dev.lathe.tensor.Shape> out) {
        out.put(m, in);
        if (m instanceof Sequential s) {
            dev.lathe.tensor.Shape at = in;
            for (Module c : s.layers()) {
                inputShapes(c, at, out);
                at = c.outputShape(at);
            }
        } else if (m instanceof dev.lathe.nn.Graph g) {
            Map<String, dev.lathe.tensor.Shape> shapes = new java.util.HashMap<>(g.shapes(in));
            shapes.put(dev.lathe.nn.Graph.INPUT, in);
            for (dev.lathe.nn.Graph.Node n : g.nodes()) if (!(n.module() instanceof dev.lathe.nn.Merge)) inputShapes(n.module(), shapes.get(n.inputs().get(0)), out);
        }
    }

    private Layer byModule(Module m) {
        for (Layer l : layers.values()) if (l.module() == m) return l;
        return null;
    }

    private static List<Module> containers(Module m) {
        List<Module> out = new ArrayList<>();
        if (m instanceof Sequential) out.add(m);
        for (Module c : m.children().values()) out.addAll(containers(c));
        return out;
    }
}
