package dev.lathe.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places every intermediate buffer of an inference at an offset in one arena so that buffers alive
 * at the same time never overlap. Greedy by size (TensorFlow Lite Micro's planner): largest buffer
 * first, each into a gap among the already placed buffers it overlaps in time — the first gap that
 * fits, or the best-fitting one (XNNPACK's choice); {@link #plan} keeps the smaller arena. The
 * lower bound, the peak of simultaneously live bytes, says how far from optimal the result is.
 */
public final class MemoryPlan {
    /** A buffer of {@code size} values, alive from step {@code first} to step {@code last} inclusive. */
    public record Buffer(String name, long size, int first, int last) {
        public Buffer {
            if (size < 0 || last < first) throw new IllegalArgumentException("buffer " + name + ": size " + size + ", steps " + first + ".." + last);
        }

        boolean overlaps(Buffer o) { return first <= o.last && o.first <= last; }
    }

    public record Placement(Buffer buffer, long offset) {}

    private final List<Placement> placements;
    private final long arena, lowerBound;
    private final String strategy;

    private MemoryPlan(List<Placement> placements, String strategy, long lowerBound) {
        this.placements = List.copyOf(placements);
        long end = 0;
        for (Placement p : placements) end = Math.max(end, p.offset() + p.buffer().size());
        this.arena = end;
        this.strategy = strategy;
        this.lowerBound = lowerBound;
    }

    /** One step for {@link #forSteps}: its output name and size, the values it reads, and whether it is a view (no buffer of its own). */
    public record Use(String name, long size, List<String> inputs, boolean view) {}

    /**
     * The buffers of a step sequence by liveness: each output lives from its step to its last reader,
     * the model input from step 0, the outputs to the end; a view extends the life of what it views.
     */
    public static MemoryPlan forSteps(String input, long inputSize, List<Use> steps, List<String> outputs) {
        java.util.Map<String, Integer> first = new java.util.LinkedHashMap<>(), last = new java.util.HashMap<>();
        java.util.Map<String, Long> size = new java.util.HashMap<>();
        java.util.Map<String, String> viewOf = new java.util.HashMap<>();
        first.put(input, 0);
        size.put(input, inputSize);
        for (int i = 0; i < steps.size(); i++) {
            Use s = steps.get(i);
            for (String in : s.inputs()) last.put(in, i);
            if (s.view()) {
                viewOf.put(s.name(), s.inputs().get(0));
                continue;
            }
            first.put(s.name(), i);
            size.put(s.name(), s.size());
        }
        for (int i = steps.size() - 1; i >= 0; i--) {
            Use s = steps.get(i);
            if (s.view() && last.containsKey(s.name())) last.merge(s.inputs().get(0), last.get(s.name()), Math::max);
        }
        for (String output : outputs) {
            String out = output;
            while (viewOf.containsKey(out)) out = viewOf.get(out);
            last.put(out, steps.size());
        }
        List<Buffer> bufs = new ArrayList<>();
        for (java.util.Map.Entry<String, Integer> e : first.entrySet()) {
            bufs.add(new Buffer(e.getKey(), size.get(e.getKey()), e.getValue(), last.getOrDefault(e.getKey(), e.getValue())));
        }
        return plan(bufs);
    }

    /** Offsets by buffer name, views at the offset of what they view. */
    public java.util.Map<String, Integer> offsets(List<Use> steps) {
        java.util.Map<String, Integer> off = new java.util.HashMap<>();
        for (Placement p : placements) off.put(p.buffer().name(), Math.toIntExact(p.offset()));
        for (Use s : steps) if (s.view()) off.put(s.name(), off.get(s.inputs().get(0)));
        return off;
    }

    /** The better of first-fit and best-fit. */
    public static MemoryPlan plan(List<Buffer> buffers) {
        MemoryPlan first = greedy(buffers, false), best = greedy(buffers, true);
        return best.arena < first.arena ? best : first;
    }

    public static MemoryPlan greedy(List<Buffer> buffers, boolean bestFit) {
        List<Buffer> order = new ArrayList<>(buffers);
        order.sort(Comparator.comparingLong(Buffer::size).reversed().thenComparingInt(Buffer::first));
        List<Placement> placed = new ArrayList<>();
        for (Buffer b : order) {
            List<Placement> clash = new ArrayList<>();
            for (Placement p : placed) if (p.buffer().overlaps(b)) clash.add(p);
            clash.sort(Comparator.comparingLong(Placement::offset));
            long at = 0, chosen = -1, chosenGap = Long.MAX_VALUE;
            for (Placement p : clash) {
                long gap = p.offset() - at;
                if (gap >= b.size() && (!bestFit || gap < chosenGap)) {
                    chosen = at;
                    chosenGap = gap;
                    if (!bestFit) break;
                }
                at = Math.max(at, p.offset() + p.buffer().size());
            }
            if (chosen < 0) chosen = at;  // after everything it overlaps
            placed.add(new Placement(b, chosen));
        }
        return new MemoryPlan(placed, bestFit ? "greedy by size, best fit" : "greedy by size, first fit", lowerBound(buffers));
    }

    /** The peak over steps of the total size of buffers alive at that step: no plan can use less. */
    public static long lowerBound(List<Buffer> buffers) {
        int last = 0;
        for (Buffer b : buffers) last = Math.max(last, b.last());
        long peak = 0;
        for (int s = 0; s <= last; s++) {
            long live = 0;
            for (Buffer b : buffers) if (b.first() <= s && s <= b.last()) live += b.size();
            peak = Math.max(peak, live);
        }
        return peak;
    }

    public List<Placement> placements() { return placements; }

    /** Values the arena holds. */
    public long arenaSize() { return arena; }

    public long lowerBound() { return lowerBound; }

    public String strategy() { return strategy; }

    /** Checks the plan: no two buffers alive together share an address (a test oracle). */
    public boolean isValid() {
        for (int i = 0; i < placements.size(); i++) {
            for (int j = i + 1; j < placements.size(); j++) {
                Placement a = placements.get(i), b = placements.get(j);
                if (!a.buffer().overlaps(b.buffer())) continue;
                boolean disjoint = a.offset() + a.buffer().size() <= b.offset() || b.offset() + b.buffer().size() <= a.offset();
                if (!disjoint && a.buffer().size() > 0 && b.buffer().size() > 0) return false;
            }
        }
        return true;
    }
}
