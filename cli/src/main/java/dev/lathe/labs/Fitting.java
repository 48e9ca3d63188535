package dev.lathe.labs;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.EarlyStopping;
import dev.lathe.train.History;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import dev.lathe.train.TrainingListener;

/** Training and prediction for the labs' one-input, one-output regressions, through the library's Trainer. */
final class Fitting {
    private Fitting() {}

    static ArrayDataset dataset(LabData.XY d) { return ArrayDataset.regression(d.x(), new int[] {1}, d.y(), new int[] {1}); }

    /** Trains with MSE for the given epochs in minibatches (batch >= size: full-batch gradient descent). */
    static History fit(Module model, Optimizer opt, LabData.XY train, LabData.XY val, int epochs, int batch, long seed,
                       EarlyStopping stopping, TrainingListener listener) {
        Trainer.Builder b = Trainer.builder(model, opt, LossFunction.mse()).epochs(epochs).earlyStopping(stopping);
        if (listener != null) b.listener(listener);
        DataLoader tl = new DataLoader(dataset(train), Math.min(batch, train.size()), true, seed, false);
        DataLoader vl = val == null ? null : DataLoader.inOrder(dataset(val), val.size());
        return b.build().fit(tl, vl);
    }

    static History fit(Module model, Optimizer opt, LabData.XY train, LabData.XY val, int epochs, long seed) {
        return fit(model, opt, train, val, epochs, train.size(), seed, null, null);
    }

    /** The model's outputs for inputs x, in evaluation mode. */
    static float[] predict(Module model, float[] x) {
        boolean was = model.isTraining();
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            return model.forward(Variable.constant(Tensor.of(x.clone(), x.length, 1))).data().toFloatArray();
        } finally {
            if (was) model.train();
        }
    }

    /** Mean squared error of the model on d, in evaluation mode. */
    static double mse(Module model, LabData.XY d) {
        float[] p = predict(model, d.x());
        double s = 0;
        for (int i = 0; i < p.length; i++) s += (p[i] - d.y()[i]) * (double) (p[i] - d.y()[i]);
        return s / p.length;
    }
}
