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
