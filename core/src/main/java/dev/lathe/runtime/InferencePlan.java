package dev.lathe.runtime;

import dev.lathe.ir.Lowering;
import dev.lathe.ir.Node;
import dev.lathe.ir.Pass;
import dev.lathe.ir.Program;
import dev.lathe.ir.Reference;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A trained model frozen for inference at batch 1: the model lowered to the IR ({@link Lowering}),
 * rewritten by the inference passes ({@link Pass#INFERENCE}: dropout removed, batch norm folded into
 * the convolution before it, a ReLU or ReLU6 after a convolution or dense layer fused into its GEMM
 * epilogue), and its values planned into one arena ({@link MemoryPlan}). {@link #run} executes the
 * program with the reference kernels; a {@link Session} runs it fast. Every pass is checked against
 * the unrewritten program in tests.
 */
public final class InferencePlan {
    private final Program program;
    private final List<Node> steps;
    private final Shape input;
    private final List<String> outputs;
    private final MemoryPlan memory;
    private final Map<String, Integer> offsets;

    private InferencePlan(Program program) {
        this.program = program;
        if (!program.input().equals(Graph.INPUT)) throw new IllegalArgumentException("inference plan: the input must be named '" + Graph.INPUT + "', got '" + program.input() + "'");
        this.steps = program.nodes();
        this.input = program.inputs().get(Graph.INPUT);
        this.outputs = program.outputs();
        this.memory = planMemory();
        // refused here, with the figure, before an int offset overflows or an allocation fails part-way
        requireOneArray(memory.arenaSize(), "a plan for input " + input);
        this.offsets = Map.copyOf(memory.offsets(uses()));
    }

    /** An arena of this many floats must fit one Java array (8 GB); {@code what} begins the refusal. */
    static void requireOneArray(long floats, String what) {
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s needs %,d MB of memory; one arena holds at most 8 GB (use a smaller input)", what, floats * 4 >> 20));
        }
    }

    /** Freezes a model (evaluation mode, weights copied) for one sample of the given input shape. */
    public static InferencePlan freeze(Module model, Shape sampleInput) {
        return of(Pass.all(Lowering.from(model, sampleInput), Pass.INFERENCE));
    }

    /** A plan of a program as it is (no passes applied here): one input named {@link Graph#INPUT}, one output, batch 1. */
    public static InferencePlan of(Program program) { return new InferencePlan(identityIfEmpty(program)); }

    /** A program whose passes left no node (a lone dropout) computes the identity: one view node keeps plan and sessions uniform. */
    private static Program identityIfEmpty(Program p) {
        if (!p.nodes().isEmpty()) return p;
        Shape in = p.inputs().get(p.input());
        dev.lathe.ir.Op.Reshape same = dev.lathe.ir.Op.Reshape.keeping(in);
        return new Program(p.inputs(), List.of(new Node("identity", same, List.of(p.input()), same.outputShape(List.of(in)), "the identity")), List.of("identity"));
    }

    /** The program this plan runs. */
    public Program program() { return program; }

    /** Every step's output is a buffer alive from its step to its last reader (the model input from step 0, the output to the end). */
    private MemoryPlan planMemory() { return MemoryPlan.forSteps(Graph.INPUT, input.sampleSize(), uses(), outputs); }

    /** The steps as the memory planner sees them. */
    List<MemoryPlan.Use> uses() {
        return steps.stream().map(s -> new MemoryPlan.Use(s.name(), s.output().sampleSize(), s.inputs(), s.isView())).toList();
    }

    public List<Node> steps() { return steps; }

    /** The input shape, batch 1. */
    public Shape input() { return input; }

    /** The name of the step whose value is the model output; an error naming them when the plan has several. */
    public String outputName() {
        if (outputs.size() != 1) throw new IllegalStateException("this path takes one output; the plan has " + outputs + " (Session.predictAll runs them all)");
        return outputs.get(0);
    }

    /** The steps whose values are the model's outputs, in order. */
    public List<String> outputNames() { return outputs; }

    /** A batch-1 executor in one arena; create one per thread. */
    public Session session() { return new Session(this); }

    /** A batch-1 executor whose calls use the given kernel thread count. */
    public Session session(int threads) { return new Session(this, threads); }

    public MemoryPlan memoryPlan() { return memory; }

    /** Arena offset of each value (the input under {@link Graph#INPUT}; a view at the offset of what it views). */
    public int offset(String value) { return offsets.get(value); }

    /** Runs one input [1, ...] (or any batch) through the frozen steps. */
    public Tensor run(Tensor x) { return runAll(x).get(outputName()); }

    /** Every value of a run by name (the input under {@link Graph#INPUT}): what int8 calibration observes. */
    public Map<String, Tensor> runAll(Tensor x) { return Reference.runAll(program, Map.of(Graph.INPUT, x)); }

    /** The steps with their rewrites, then the arena next to its lower bound. */
    public String describe() {
        StringBuilder b = new StringBuilder(program.describe());
        b.append(String.format("Memory plan (%s): arena %,d values (%,d bytes); lower bound %,d values (peak of simultaneously live buffers)%n",
                memory.strategy(), memory.arenaSize(), memory.arenaSize() * 4, memory.lowerBound()));
        return b.toString();
    }
}
