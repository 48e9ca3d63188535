package dev.lathe.plot;

import dev.lathe.io.AtomicFiles;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The house style for XChart plots: one place for size, lines vs points, and the atomic PNG write. */
public final class Charts {
    private Charts() {}

    public static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(800).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        return c;
    }

    /** A line without markers. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.SOLID);
        return s;
    }

    /** A line in a given colour and width, left out of the legend (one of many overlaid runs). */
    public static XYSeries faintLine(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = line(c, name, x, y);
        s.setLineColor(color);
        s.setLineWidth(1f);
        s.setShowInLegend(false);
        return s;
    }

    /** Points without connecting lines. */
    public static XYSeries points(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /** A vertical marker line at x spanning [yLo, yHi]. */
    public static XYSeries vertical(XYChart c, String name, double x, double yLo, double yHi) {
        XYSeries s = line(c, name, new double[] {x, x}, new double[] {yLo, yHi});
        s.setLineStyle(DASHED);
        return s;
    }

    /** The stroke for derivative, validation and marker lines. */
    public static final java.awt.BasicStroke DASHED =
            new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    /** Fixes both axis ranges (series with NaN breaks would otherwise upset XChart's auto-range). */
    public static void range(XYChart c, double xLo, double xHi, double yLo, double yHi) {
        c.getStyler().setXAxisMin(xLo).setXAxisMax(xHi).setYAxisMin(yLo).setYAxisMax(yHi);
    }

    /** Writes the chart as a PNG via a temp file and rename; returns the file. */
    public static Path save(XYChart c, Path file) throws IOException {
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }

    /** A colour from a fixed palette, cycling. */
    public static Color palette(int i) {
        Color[] p = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127)};
        return p[Math.floorMod(i, p.length)];
    }
}
