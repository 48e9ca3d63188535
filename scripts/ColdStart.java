import dev.lathe.predict.Predictor;
import java.nio.file.Path;

/** An embedded user's whole program: load a trained checkpoint, predict one sample (scripts/bench-coldstart.sh times it). */
public class ColdStart {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Predictor p = Predictor.load(Path.of(args[0]), 1);
        float[] pixels = new float[p.inputSize()];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (i % 28) / 28f;
        int cls = p.predictClass(pixels);
        System.out.printf("lathe first prediction class %d in-process_ms %.1f%n", cls, (System.nanoTime() - t0) / 1e6);
    }
}
