package dev.lathe.plot;

import dev.lathe.io.AtomicFiles;
import dev.lathe.train.EpochResult;
import dev.lathe.train.History;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** PNG of training and validation loss per epoch, drawn with XChart. */
public final class LossCurves {
    private LossCurves() {}

    public static Path write(History h, Path file, String title) throws IOException {
        List<EpochResult> eps = h.epochs();
        double[] x = eps.stream().mapToDouble(EpochResult::epoch).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title + ": loss per epoch").xAxisTitle("epoch").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(8);
        chart.addSeries("training", x, h.trainLosses()).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        if (!eps.isEmpty() && eps.get(0).hasValidation()) chart.addSeries("validation", x, h.valLosses());
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }
}
