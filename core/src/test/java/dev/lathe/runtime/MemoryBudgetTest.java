package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Zoo;
import dev.lathe.tensor.Shape;
import org.junit.jupiter.api.Test;

/** A plan whose arena would not fit is refused before allocating, with the figure it needs (issue 31). */
class MemoryBudgetTest {
    @Test
    void aSessionTooLargeForTheHeapIsRefusedWithItsSize() {
        // resnet-mini keeps its small weights; at 3x8192x8192 its activations need tens of GB
        Shape huge = Shape.batchOf(3, 8192, 8192);
        assertThatThrownBy(() -> InferencePlan.freeze(Zoo.build("resnet-mini", 10, huge, 1).eval(), huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a plan for input [1, 3, 8192, 8192] needs").hasMessageContaining("MB of memory; one arena holds at most 8 GB");
        // under the 8 GB of one arena but over the heap: the heap's figures in the refusal
        long heap = Runtime.getRuntime().maxMemory();
        assertThatThrownBy(() -> Session.requireHeap(heap + (1 << 20), "a session of this plan (input [1, 3, 2048, 2048])"))
                .hasMessageContaining("a session of this plan (input [1, 3, 2048, 2048]) needs").hasMessageContaining("of " + (heap >> 20) + " MB (raise -Xmx");
    }
}
