package dev.lathe.codegen;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
import dev.lathe.nn.Graph;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.MemoryPlan;
import dev.lathe.runtime.QStep;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A frozen model as plain C99 for a microcontroller: {@code model.h} and {@code model.c} with the
 * weights as {@code const} arrays (flash), one static activation arena sized by the plan's memory
 * plan (RAM), no malloc, no recursion, only {@code <stdint.h>}, {@code <string.h>} and — for an fp32
 * op that needs it — {@code <math.h>}. Entry points: {@code int model_predict(const float *in, float *out)}
 * and, for an int8 model, {@code int model_predict_int8(const int8_t *in, int8_t *out)}, which is
 * bit-exact with {@link dev.lathe.runtime.QuantizedSession}. A layer the backend cannot express is an
 * error naming it, and nothing is written.
 */
public final class CExport {
    private CExport() {}

    /** What was written and what it needs. */
    public record Result(Path header, Path source, long weightBytes, long arenaBytes, long lowerBoundBytes, long macs, boolean int8) {}

    public static Result write(InferencePlan plan, long macs, Path dir) throws IOException {
        Gen g = new Gen(plan, null);
        g.floatModel();
        return g.write(dir, macs);
    }

    public static Result write(QuantizedPlan q, long macs, Path dir) throws IOException {
        Gen g = new Gen(q.floatPlan(), q);
        g.int8Model();
        return g.write(dir, macs);
    }

    private static final class Gen {
        final InferencePlan plan;
        final QuantizedPlan q;
        final StringBuilder data = new StringBuilder(), body = new StringBuilder();
        final Set<String> kernels = new LinkedHashSet<>();
        final Map<String, Long> off = new HashMap<>();
        final Map<String, Shape> shapes = new HashMap<>();
        boolean math;
        long weightBytes;
        int arrays;

        Gen(InferencePlan plan, QuantizedPlan q) {
            this.plan = plan;
            this.q = q;
            shapes.put(Graph.INPUT, plan.input());
            for (Node s : plan.steps()) shapes.put(s.name(), s.output());
            off.put(Graph.INPUT, (long) (q == null ? plan.offset(Graph.INPUT) : q.offset(Graph.INPUT)));
            if (q == null) for (Node s : plan.steps()) off.put(s.name(), (long) plan.offset(s.name()));
            else for (QStep s : q.steps()) off.put(s.name(), (long) q.offset(s.name()));
        }

        String at(String value) { return "arena + " + off.get(value); }

        static String cname(String step) { return step.replaceAll("[^A-Za-z0-9_]", "_"); }

        String floats(String base, float[] v) {
            String name = "w" + arrays++ + "_" + base;
            CSource.floats(data, name, v);
            weightBytes += 4L * v.length;
            return name;
        }

        String ints(String type, String base, long[] v, int bytes) {
            String name = "w" + arrays++ + "_" + base;
            CSource.ints(data, type, name, v);
            weightBytes += (long) bytes * v.length;
            return name;
        }

        String bytes(String base, byte[] v) { return ints("int8_t", base, CSource.longs(v), 1); }

        String int32s(String base, int[] v) { return ints("int32_t", base, CSource.longs(v), 4); }

        static IllegalArgumentException unsupported(Node s, String why) {
            return new IllegalArgumentException("C export: layer '" + s.name() + "' (" + s.op() + ") " + why);
        }

        void floatModel() {
            for (Node s : plan.steps()) {
                String x = at(s.input()), y = at(s.name()), n = cname(s.name());
                Shape in = shapes.get(s.input());
                body.append("    /* ").append(s.name()).append(": ").append(s.op()).append(" */\n");
                switch (s.op()) {
                    case Op.Reshape r -> { }  // a view: same arena offset
                    case Op.Conv2d c -> {
                        ConvGeometry g = c.geometry(in);
                        String w = floats(n + "_weight", c.weight().toFloatArray()), b = c.bias() == null ? "0" : floats(n + "_bias", c.bias().toFloatArray());
                        kernels.add(CKernels.CONV_F32);
                        body.append(String.format(Locale.ROOT, "    conv_f32(%s, %d, %d, %d, %s, %s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n",
                                x, g.c(), g.h(), g.w(), w, b, g.o(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.groups(), g.oh(), g.ow(), c.epilogue(), y));
                    }
                    case Op.Dense d -> {
                        if (s.output().rank() != 2) throw unsupported(s, "is a dense layer on a " + s.output().rank() + "-D value (the C backend takes [1, features])");
                        String w = floats(n + "_weight", d.weight().toFloatArray()), b = d.bias() == null ? "0" : floats(n + "_bias", d.bias().toFloatArray());
                        kernels.add(CKernels.LINEAR_F32);
                        body.append(String.format(Locale.ROOT, "    linear_f32(%s, %d, %s, %s, %d, %d, %s);%n", x, d.inFeatures(), w, b, d.outFeatures(), d.epilogue(), y));
                    }
                    case Op.Pool p -> {
                        ConvGeometry g = p.geometry(in);
                        if (p.kind() == Op.Pool.Kind.MAX) {
                            kernels.add(CKernels.MAXPOOL_F32);
                            body.append(String.format(Locale.ROOT, "    maxpool_f32(%s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n", x, g.c(), g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow(), y));
                        } else {
                            kernels.add(CKernels.AVGPOOL_F32);
                            body.append(String.format(Locale.ROOT, "    avgpool_f32(%s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n", x, g.c(), g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow(), p.countsPadding() ? 1 : 0, y));
                        }
                    }
                    case Op.Activation a -> {
                        long count = in.sampleSize();
                        if (a.kind() == Op.Activation.Kind.SOFTMAX || a.kind() == Op.Activation.Kind.LOG_SOFTMAX) {
                            int cls = in.dim(in.rank() - 1);
                            kernels.add(CKernels.SOFTMAX_F32);
                            math = true;
                            body.append(String.format(Locale.ROOT, "    softmax_f32(%s, %d, %d, %d, %s);%n", x, (int) (count / cls), cls, a.kind() == Op.Activation.Kind.LOG_SOFTMAX ? 1 : 0, y));
                        } else {
                            int kind = switch (a.kind()) { case RELU -> 1; case RELU6 -> 2; case LEAKY_RELU -> 3; case SIGMOID -> 4; default -> 5; };
                            math = true;  // the one act_f32 text holds the expf and tanhf cases whatever kind this step is
                            kernels.add(CKernels.ACT_F32);
                            body.append(String.format(Locale.ROOT, "    act_f32(%s, %d, %d, %sf, %s);%n", x, count, kind, Float.toHexString((float) a.slope()), y));
                        }
                    }
                    case Op.BatchNorm bn -> {
                        int c = in.dim(1);
                        float[][] ss = bn.scaleShift();
                        kernels.add(CKernels.BN_F32);
                        body.append(String.format(Locale.ROOT, "    bn_f32(%s, %d, %d, %s, %s, %s);%n", x, c, in.sampleSize() / c, floats(n + "_scale", ss[0]), floats(n + "_shift", ss[1]), y));
                    }
                    case Op.Add add -> {
                        kernels.add(CKernels.ADD_F32);
                        long count = in.sampleSize();
                        body.append(String.format(Locale.ROOT, "    add_f32(%s, %s, %d, %s);%n", x, at(s.inputs().get(1)), count, y));
                        for (int k = 2; k < s.inputs().size(); k++) body.append(String.format(Locale.ROOT, "    add_f32(%s, %s, %d, %s);%n", y, at(s.inputs().get(k)), count, y));
                    }
                    case Op.Concat cat -> {
                        long dst = off.get(s.name());
                        for (String i : s.inputs()) {
                            long size = shapes.get(i).sampleSize();
                            body.append(String.format(Locale.ROOT, "    memmove(arena + %d, %s, sizeof(float) * %d);%n", dst, at(i), size));
                            dst += size;
                        }
                    }
                    case Op.Dropout d -> throw unsupported(s, "is a dropout the plan did not remove");
                    case Op.Resize r -> {
                        kernels.add(CKernels.RESIZE_F32);
                        body.append(String.format(Locale.ROOT, "    resize_f32(%s, %d, %d, %d, %d, %d, %d, %s);%n", x, in.dim(1), in.dim(2), in.dim(3), r.scaleH(), r.scaleW(),
                                r.mode() == dev.lathe.kernels.Resize.Mode.BILINEAR ? 1 : 0, y));
                    }
                    case Op.Pad pad -> {
                        kernels.add(CKernels.PAD_F32);
                        body.append(String.format(Locale.ROOT, "    pad_f32(%s, %d, %d, %d, %d, %d, %d, %d, %s);%n", x, in.dim(1), in.dim(2), in.dim(3), pad.top(), pad.left(), pad.bottom(), pad.right(), y));
                    }
                    case Op.Transpose t -> {
                        if (in.rank() != 4) throw unsupported(s, "transposes a " + in.rank() + "-D value (the C backend has 4-D transposes)");
                        kernels.add(CKernels.TRANSPOSE4_F32);
                        body.append(String.format(Locale.ROOT, "    { static const int dims[4] = {%d, %d, %d, %d}, perm[4] = {%d, %d, %d, %d}; transpose4_f32(%s, dims, perm, %s); }%n",
                                in.dim(0), in.dim(1), in.dim(2), in.dim(3), t.perm()[0], t.perm()[1], t.perm()[2], t.perm()[3], x, y));
                    }
                    case Op.ConvTranspose2d t -> {
                        if (t.spec().dilationH() != 1 || t.spec().dilationW() != 1) throw unsupported(s, "is a dilated transposed convolution (the C backend has dilation 1)");
                        String w = floats(n + "_weight", t.weight().toFloatArray()), b = t.bias() == null ? "0" : floats(n + "_bias", t.bias().toFloatArray());
                        kernels.add(CKernels.CONVT_F32);
                        body.append(String.format(Locale.ROOT, "    convt_f32(%s, %d, %d, %d, %s, %s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n", x, in.dim(1), in.dim(2), in.dim(3), w, b,
                                t.outChannels(), t.weight().size(2), t.weight().size(3), t.spec().strideH(), t.spec().strideW(), t.spec().padH(), t.spec().padW(), t.spec().groups(),
                                s.output().dim(2), s.output().dim(3), y));
                    }
                }
            }
        }

        void int8Model() {
            kernels.add(CKernels.QUANTIZE);
            for (QStep s : q.steps()) {
                String x = at(s.input()), y = at(s.name()), n = cname(s.name());
                body.append("    /* ").append(s.name()).append(": int8 ").append(QStep.kind(s)).append(" */\n");
                switch (s) {
                    case QStep.View v -> { }
                    case QStep.Clamp c -> {
                        kernels.add(CKernels.CLAMP_S8);
                        body.append(String.format(Locale.ROOT, "    clamp_s8(%s, %d, %d, %d, %s);%n", x, shapes.get(s.input()).sampleSize(), c.lo(), c.hi(), y));
                    }
                    case QStep.Add a -> {
                        kernels.add(CKernels.ADD_S8);
                        body.append(String.format(Locale.ROOT, "    add_s8(%s, %d, %d, %s, %d, %d, %d, %d, %d, %s);%n", x, a.in().zeroPoint(), a.m0a(), at(a.input2()), a.in2().zeroPoint(), a.m0b(),
                                a.shift(), a.out().zeroPoint(), shapes.get(s.name()).sampleSize(), y));
                    }
                    case QStep.GlobalAverage ga -> {
                        ConvGeometry g = ga.geometry();
                        kernels.add(CKernels.REQUANT);  // before the kernels that call it, and only with them (-Wunused-function)
                        kernels.add(CKernels.GAP_S8);
                        body.append(String.format(Locale.ROOT, "    gap_s8(%s, %d, %d, %d, %d, %d, %d, %s);%n", x, g.c(), (long) g.h() * g.w(), ga.in().zeroPoint(), ga.m0(), ga.shift(), ga.out().zeroPoint(), y));
                    }
                    case QStep.MaxPool mp -> {
                        ConvGeometry g = mp.geometry();
                        kernels.add(CKernels.MAXPOOL_S8);
                        body.append(String.format(Locale.ROOT, "    maxpool_s8(%s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n", x, g.c(), g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow(), y));
                    }
                    case QStep.Linear l -> {
                        QStep.Weights w = l.weights();
                        kernels.add(CKernels.REQUANT);  // before the kernels that call it, and only with them (-Wunused-function)
                        kernels.add(CKernels.LINEAR_S8);
                        body.append(String.format(Locale.ROOT, "    linear_s8(%s, %d, %d, %s, %s, %s, %s, %d, %d, %d, %d, %s);%n", x, l.in().zeroPoint(), l.inFeatures(),
                                bytes(n + "_weight", w.q()), int32s(n + "_bias", w.bias()), int32s(n + "_m0", w.m0()), bytes(n + "_shift", shifts(w)), w.outputs(),
                                l.out().zeroPoint(), w.lo(), w.hi(), y));
                    }
                    case QStep.Conv c -> {
                        ConvGeometry g = c.geometry(), p = c.pool();
                        QStep.Weights w = c.weights();
                        if (p != null && (p.kh() != p.kw() || p.sh() != p.sw() || p.ph() != p.pw())) throw new IllegalArgumentException("C export: pool of '" + s.name() + "' is not square");
                        kernels.add(CKernels.REQUANT);  // before the kernels that call it, and only with them (-Wunused-function)
                        kernels.add(CKernels.CONV_S8);
                        body.append(String.format(Locale.ROOT, "    conv_s8(%s, %d, %d, %d, %d, %d, %s, %s, %s, %s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s);%n",
                                x, c.in().zeroPoint(), g.c(), g.h(), g.w(), g.groups(), bytes(n + "_weight", w.q()), int32s(n + "_bias", w.bias()), int32s(n + "_m0", w.m0()),
                                bytes(n + "_shift", shifts(w)), g.o(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.oh(), g.ow(),
                                p == null ? 0 : p.kh(), p == null ? 1 : p.sh(), p == null ? 0 : p.ph(), p == null ? 0 : p.oh(), p == null ? 0 : p.ow(),
                                c.out().zeroPoint(), w.lo(), w.hi(), y));
                    }
                }
            }
        }

        static byte[] shifts(QStep.Weights w) {
            byte[] b = new byte[w.shift().length];
            for (int i = 0; i < b.length; i++) b[i] = (byte) w.shift()[i];
            return b;
        }

        Result write(Path dir, long macs) throws IOException {
            boolean int8 = q != null;
            MemoryPlan mp = int8 ? q.memoryPlan() : plan.memoryPlan();
            long arena = mp.arenaSize(), in = plan.input().sampleSize();
            String last = int8 ? q.steps().get(q.steps().size() - 1).name() : plan.outputName();
            long out = plan.steps().get(plan.steps().size() - 1).output().sampleSize(), outOff = off.get(last), inOff = off.get(Graph.INPUT);
            String elem = int8 ? "int8_t" : "float";
            StringBuilder h = new StringBuilder();
            h.append("/* Generated by Lathe (lathe export --format c): a frozen ").append(int8 ? "int8" : "fp32").append(" model, C99, no malloc. */\n");
            h.append("#ifndef LATHE_MODEL_H\n#define LATHE_MODEL_H\n#include <stdint.h>\n\n");
            h.append("#define MODEL_INPUT_SIZE ").append(in).append("\n#define MODEL_OUTPUT_SIZE ").append(out).append('\n');
            h.append("#define MODEL_ARENA_BYTES ").append(arena * (int8 ? 1 : 4)).append("\n#define MODEL_WEIGHT_BYTES ").append(weightBytes).append("\n#define MODEL_MACS ").append(macs).append("\n\n");
            h.append("/* in: MODEL_INPUT_SIZE floats (").append(plan.input()).append("), out: MODEL_OUTPUT_SIZE floats; returns 0. Not reentrant (one static arena). */\n");
            h.append("int model_predict(const float *in, float *out);\n");
            if (int8) {
                h.append(String.format(Locale.ROOT, "%n/* int8 in and out: input quantized with scale %s zero point %d, output with scale %s zero point %d. */%n",
                        Float.toString(q.inputParams().scale()), q.inputParams().zeroPoint(), Float.toString(q.steps().get(q.steps().size() - 1).out().scale()), q.steps().get(q.steps().size() - 1).out().zeroPoint()));
                h.append("int model_predict_int8(const int8_t *in, int8_t *out);\n");
            }
            h.append("\n#endif\n");
            StringBuilder c = new StringBuilder();
            c.append("/* Generated by Lathe: weights in flash (const), one static arena sized by the memory plan. */\n");
            c.append("#include <stdint.h>\n#include <string.h>\n");
            if (math) c.append("#include <math.h>\n");
            c.append("#include \"model.h\"\n\n");
            c.append(data).append('\n');
            c.append(String.format(Locale.ROOT, "/* arena: %d %s (memory plan %s; lower bound %d) */%n", arena, elem, mp.strategy(), mp.lowerBound()));
            c.append("static ").append(elem).append(" arena[").append(arena).append("];\n\n");
            for (String k : kernels) c.append(k).append('\n');
            c.append("/* the layers, in plan order, over the arena */\nstatic void run(void) {\n").append(body).append("}\n\n");
            if (int8) {
                QuantizedPlan.QParams o = q.steps().get(q.steps().size() - 1).out();
                c.append("int model_predict_int8(const int8_t *in, int8_t *out) {\n");
                c.append(String.format(Locale.ROOT, "    memcpy(arena + %d, in, %d);%n    run();%n    memcpy(out, arena + %d, %d);%n    return 0;%n}%n%n", inOff, in, outOff, out));
                c.append("int model_predict(const float *in, float *out) {\n    long i;\n");
                c.append(String.format(Locale.ROOT, "    quantize_s8(in, %d, %sf, %d, arena + %d);%n    run();%n", in, Float.toHexString(q.inputParams().scale()), q.inputParams().zeroPoint(), inOff));
                c.append(String.format(Locale.ROOT, "    for (i = 0; i < %d; i++) out[i] = (float)((int32_t)arena[%d + i] - %d) * %sf;%n    return 0;%n}%n", out, outOff, o.zeroPoint(), Float.toHexString(o.scale())));
            } else {
                c.append("int model_predict(const float *in, float *out) {\n");
                c.append(String.format(Locale.ROOT, "    memcpy(arena + %d, in, sizeof(float) * %d);%n    run();%n", inOff, in));
                c.append(String.format(Locale.ROOT, "    memcpy(out, arena + %d, sizeof(float) * %d);%n    return 0;%n}%n", outOff, out));
            }
            Path[] files = CSource.write(dir, h.toString(), c.toString());
            return new Result(files[0], files[1], weightBytes, arena * (int8 ? 1 : 4), mp.lowerBound() * (int8 ? 1 : 4), macs, int8);
        }
    }
}
