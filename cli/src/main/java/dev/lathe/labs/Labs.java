package dev.lathe.labs;

import java.util.List;

/** The course's labs, in course order. */
public final class Labs {
    private Labs() {}

    public static List<Lab> all() {
        return List.of(new ActivationsLab(), new LinearRegressionLab(), new OptimizersLab(), new PiecewiseLinearLab(), new ClassificationLab(),
                new OverfittingLab(), new RegularizationLab(), new SplitsLab(), new HyperparametersLab(), new TransferLab(), new SequenceLab(), new PruningLab());
    }

    public static Lab named(String name) {
        for (Lab l : all()) if (l.name().equals(name)) return l;
        throw new IllegalArgumentException("unknown lab '" + name + "' (" + String.join(", ", all().stream().map(Lab::name).toList()) + ")");
    }
}
