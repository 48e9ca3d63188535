import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Two builds of Lathe's core in one JVM, each in its own class loader, running the same model's
 * batch-1 session in alternating blocks of calls: CompareBuilds MODEL THREADS CLASSES_A CLASSES_B.
 * This VM's speed drifts by up to 2x within minutes, which swamps a 5% change between two runs in
 * separate processes; alternating within one process cancels the drift (two copies of one build
 * agree within +-3% here). Prints both p50s, their ratio, and the largest output difference; with
 * STEPS=1 in the environment also each step's minimum over alternating profiles (a fused block
 * shows under its first layer's name), to see which layers a change moved.
 */
public final class CompareBuilds {
    static final int BLOCK = 10, ROUNDS = 30;

    public static void main(String[] args) throws Exception {
        String model = args[0];
        int threads = Integer.parseInt(args[1]);
        Object[] sessions = new Object[2];
        Method[] predict = new Method[2], profile = new Method[2];
        java.util.List<String> names = new java.util.ArrayList<>();
        int inputSize = 0;
        for (int v = 0; v < 2; v++) {
            ClassLoader cl = new URLClassLoader(new URL[] {Path.of(args[2 + v]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> shape = cl.loadClass("dev.lathe.tensor.Shape"), module = cl.loadClass("dev.lathe.nn.Module");
            Class<?> plan = cl.loadClass("dev.lathe.runtime.InferencePlan"), session = cl.loadClass("dev.lathe.runtime.Session");
            Object in, m;
            if (model.equals("cnn")) {
                Class<?> cnn = cl.loadClass("dev.lathe.models.Cnn");
                in = cnn.getField("FASHION_INPUT").get(null);
                m = cnn.getMethod("fashion", long.class).invoke(null, 1L);
            } else {  // a zoo model at ImageNet size
                in = shape.getMethod("batchOf", int[].class).invoke(null, (Object) new int[] {3, 224, 224});
                m = cl.loadClass("dev.lathe.models.Zoo").getMethod("build", String.class, int.class, shape, long.class).invoke(null, model, 1000, in, 1L);
            }
            Object p = plan.getMethod("freeze", module, shape).invoke(null, m, in);
            sessions[v] = session.getConstructor(plan, int.class).newInstance(p, threads);
            predict[v] = session.getMethod("predict", float[].class);
            profile[v] = session.getMethod("profile", float[].class, int.class);
            if (v == 0) for (Object st : (java.util.List<?>) plan.getMethod("steps").invoke(p)) names.add((String) st.getClass().getMethod("name").invoke(st));
            inputSize = (int) session.getMethod("inputSize").invoke(sessions[v]);
        }
        float[] x = new float[inputSize];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] ya = (float[]) predict[0].invoke(sessions[0], (Object) x), yb = (float[]) predict[1].invoke(sessions[1], (Object) x);
        double diff = 0;
        for (int i = 0; i < ya.length; i++) diff = Math.max(diff, Math.abs(ya[i] - yb[i]));
        long until = System.nanoTime() + 4_000_000_000L;  // both JITs warm
        while (System.nanoTime() < until) for (int v = 0; v < 2; v++) predict[v].invoke(sessions[v], (Object) x);
        int block = model.equals("cnn") ? 20 * BLOCK : BLOCK;
        double[][] ms = new double[2][block * ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            for (int v = 0; v < 2; v++) {
                for (int i = 0; i < block; i++) {
                    long t0 = System.nanoTime();
                    predict[v].invoke(sessions[v], (Object) x);
                    ms[v][round * block + i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        for (double[] t : ms) Arrays.sort(t);
        double a = ms[0][ms[0].length / 2], b = ms[1][ms[1].length / 2];
        System.out.printf(Locale.ROOT, "compare %s threads %d a_p50 %.3f ms b_p50 %.3f ms b/a %.3f max_output_diff %.1e calls %d each%n",
                model, threads, a, b, b / a, diff, ms[0].length);
        if ("1".equals(System.getenv("STEPS"))) steps(sessions, profile, x, names);
    }

    /** Each step's minimum of 5-call means over 20 alternating rounds, for the steps that take time in either build. */
    static void steps(Object[] sessions, Method[] profile, float[] x, java.util.List<String> names) throws Exception {
        double[][] best = new double[2][];
        for (int round = 0; round < 20; round++) {
            for (int v = 0; v < 2; v++) {
                double[] t = (double[]) profile[v].invoke(sessions[v], x, 5);
                if (best[v] == null) best[v] = t.clone();
                for (int i = 0; i < t.length; i++) best[v][i] = Math.min(best[v][i], t[i]);
            }
        }
        double sa = 0, sb = 0;
        for (int i = 0; i < best[0].length; i++) {
            sa += best[0][i];
            sb += best[1][i];
            if (Math.max(best[0][i], best[1][i]) < 0.002) continue;
            System.out.printf(Locale.ROOT, "step %-18s a %.4f ms b %.4f ms b/a %.3f%n", i < names.size() ? names.get(i) : "#" + i, best[0][i], best[1][i], best[1][i] / best[0][i]);
        }
        System.out.printf(Locale.ROOT, "steps sum a %.3f ms b %.3f ms b/a %.3f%n", sa, sb, sb / sa);
    }
}
