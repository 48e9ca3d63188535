package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared pool: every part runs exactly once per region, whoever claims it; failures come back to the caller. */
class ParallelTest {
    @AfterEach void restoreThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    @Test void everyPartRunsExactlyOnceInEveryRegion() {
        Parallel.setThreads(2);
        for (int parts : new int[] {2, 3, 7, 64, 65, 130}) {  // above 64 parts they are claimed in order
            for (int region = 0; region < 200; region++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                Runnable[] jobs = new Runnable[parts];
                for (int i = 0; i < parts; i++) {
                    int at = i;
                    jobs[i] = () -> runs.incrementAndGet(at);
                }
                Parallel.run(jobs);
                for (int i = 0; i < parts; i++) assertThat(runs.get(i)).as("part %d of %d, region %d", i, parts, region).isEqualTo(1);
            }
        }
    }

    @Test void aFailingPartIsRethrownAfterTheOthersFinishAndThePoolGoesOn() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        Runnable[] jobs = new Runnable[4];
        for (int i = 0; i < 4; i++) {
            int at = i;
            jobs[i] = () -> {
                runs.incrementAndGet(at);
                if (at == 1) throw new IllegalArgumentException("part 1 failed");
            };
        }
        assertThatThrownBy(() -> Parallel.run(jobs)).isInstanceOf(IllegalArgumentException.class).hasMessage("part 1 failed");
        for (int i = 0; i < 4; i++) assertThat(runs.get(i)).isEqualTo(1);
        int[] sum = new int[1];
        Parallel.forRange(10, 1L << 30, 1, (from, to) -> { synchronized (sum) { sum[0] += to - from; } });
        assertThat(sum[0]).isEqualTo(10);
    }
}
