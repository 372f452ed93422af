package io.s3lockproxy.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The charts of a load run, drawn headless with XChart and written as PNG:
 * <ul>
 *   <li>{@code ratio}: per row, each target's ops/s divided by direct's in the same row (a line at 1);
 *   <li>{@code latency}: per row, each target's p50 (solid) and p99 (light), on a logarithmic axis,
 *       since rows of 4 KiB and 1 MiB differ tenfold and more.
 * </ul>
 * A target keeps its colour in both charts.
 */
final class Charts {
    private static final Color[] PALETTE = {
        new Color(0x55, 0x55, 0x55), new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e),
        new Color(0x2c, 0xa0, 0x2c), new Color(0xd6, 0x27, 0x28), new Color(0x94, 0x67, 0xbd),
        new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x17, 0xbe, 0xcf),
    };
    private static final int HEIGHT = 600;

    static {
        System.setProperty("java.awt.headless", "true"); // before XChart touches AWT: no display needed
    }

    /** One target's figures in one row of a run; {@code row} labels the row, e.g. {@code GET 4 KiB ×16}. */
    record Bar(String row, String target, Workload.Result result) {
    }

    private Charts() {
    }

    /**
     * Writes {@code ratio.png} (when {@code direct} is among the targets, with others) and
     * {@code latency.png} into {@code dir}; returns the files written.
     */
    static List<Path> write(Path dir, String title, List<Bar> bars, String direct) {
        List<String> rows = new ArrayList<>(new LinkedHashSet<>(bars.stream().map(Bar::row).toList()));
        List<String> targets = new ArrayList<>(new LinkedHashSet<>(bars.stream().map(Bar::target).toList()));
        Map<String, Workload.Result> byRowAndTarget = new HashMap<>();
        bars.forEach(b -> byRowAndTarget.put(b.row() + '\n' + b.target(), b.result()));
        List<Path> written = new ArrayList<>();
        if (targets.contains(direct) && targets.size() > 1) {
            written.add(save(ratio(title, rows, targets, byRowAndTarget, direct), dir.resolve("ratio")));
        }
        written.add(save(latency(title, rows, targets, byRowAndTarget), dir.resolve("latency")));
        return written;
    }

    private static CategoryChart ratio(String title, List<String> rows, List<String> targets,
                                       Map<String, Workload.Result> results, String direct) {
        CategoryChart chart = chart(title + ": ops/s relative to direct", rows.size(), targets.size() - 1,
                "ops/s ÷ direct's ops/s in the same row");
        chart.getStyler().setLabelsVisible(true).setLabelsRotation(90).setLabelsPosition(0.9);
        chart.getStyler().setYAxisDecimalPattern("0.0#").setYAxisMin(0.0);
        double max = 1.0;
        for (String target : targets) {
            if (target.equals(direct)) {
                continue;
            }
            List<Double> ratios = new ArrayList<>();
            for (String row : rows) {
                Workload.Result r = results.get(row + '\n' + target);
                Workload.Result d = results.get(row + '\n' + direct);
                Double ratio = r == null || d == null ? null : r.opsPerSecond() / d.opsPerSecond();
                ratios.add(ratio);
                max = ratio == null ? max : Math.max(max, ratio);
            }
            chart.addSeries(target, rows, ratios).setFillColor(colour(targets, target));
        }
        chart.getStyler().setYAxisMax(Math.ceil(max * 10 + 1) / 10); // room above the line at 1 (as fast as direct)
        chart.addAnnotation(new AnnotationLine(1.0, false, false));
        return chart;
    }

    private static CategoryChart latency(String title, List<String> rows, List<String> targets,
                                         Map<String, Workload.Result> results) {
        CategoryChart chart = chart(title + ": latency, p50 (solid) and p99 (light)", rows.size(), targets.size() * 2,
                "ms (logarithmic)");
        chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("#,##0.##");
        // bars start from the axis minimum, which XChart puts at 0 unless told: whole decades around the data
        double min = Double.MAX_VALUE;
        double max = Double.MIN_VALUE;
        for (Workload.Result r : results.values()) {
            min = Math.min(min, r.p50Ms());
            max = Math.max(max, r.p99Ms());
        }
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))))
                .setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
        for (String target : targets) {
            List<Double> p50 = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            for (String row : rows) {
                Workload.Result r = results.get(row + '\n' + target);
                p50.add(r == null ? null : r.p50Ms());
                p99.add(r == null ? null : r.p99Ms());
            }
            Color colour = colour(targets, target);
            chart.addSeries(target + " p50", rows, p50).setFillColor(colour);
            chart.addSeries(target + " p99", rows, p99).setFillColor(lighter(colour));
        }
        return chart;
    }

    private static CategoryChart chart(String title, int rows, int barsPerRow, String yTitle) {
        // wide enough for the bars, and for the legend (one entry per bar of a row) on one line
        int width = Math.max(Math.max(900, 160 + rows * (barsPerRow * 24 + 40)), 100 + barsPerRow * 150);
        CategoryChart chart = new CategoryChartBuilder().width(width).height(HEIGHT).title(title)
                .xAxisTitle("row").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal)
                .setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar)
                .setAvailableSpaceFill(0.8);
        return chart;
    }

    private static Color colour(List<String> targets, String target) {
        return PALETTE[targets.indexOf(target) % PALETTE.length];
    }

    private static Color lighter(Color c) {
        return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
    }

    private static Path save(CategoryChart chart, Path withoutExtension) {
        try {
            BitmapEncoder.saveBitmap(chart, withoutExtension.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + withoutExtension + ".png", e);
        }
        return Path.of(withoutExtension + ".png");
    }
}
