package dev.kumaforge.reports.render.internal;

import dev.kumaforge.reports.model.SpectrumPoint;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TimePoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.RangeType;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** Renders the report's charts with JFreeChart to inline SVG elements (headless). */
public final class Charts {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /** Colors per target, in target order (colorblind-friendly Okabe-Ito palette). */
  public static final List<Color> PALETTE =
      List.of(
          new Color(0x0072B2),
          new Color(0xD55E00),
          new Color(0x009E73),
          new Color(0xCC79A7),
          new Color(0xE69F00),
          new Color(0x56B4E9),
          new Color(0x000000),
          new Color(0xF0E442));

  private static final Font TICK_FONT = new Font("SansSerif", Font.PLAIN, 11);
  private static final Font LABEL_FONT = new Font("SansSerif", Font.PLAIN, 12);
  private static final Font TITLE_FONT = new Font("SansSerif", Font.BOLD, 14);
  private static final Color GRID = new Color(0xDDDDDD);
  private static final double SPECTRUM_MAX_X = 100_000; // 1 / (1 - 0.99999)

  /**
   * The latency percentile spectrum of every target: x is 1/(1-p) on a log axis labelled 50% to
   * 99.999%, y is latency in milliseconds.
   */
  public static String spectrum(List<TargetSummary> targets, int width, int height) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (TargetSummary t : targets) {
      XYSeries s = new XYSeries(t.name() + " latency (ms)", true, true);
      for (SpectrumPoint p : t.spectrum()) {
        double x = Math.min(SPECTRUM_MAX_X, 1.0 / (1.0 - p.percentile() / 100.0));
        s.addOrUpdate(x, p.valueUs() / 1000.0);
      }
      data.addSeries(s);
    }
    PercentileAxis x = new PercentileAxis();
    NumberAxis y = new NumberAxis("latency (ms)");
    y.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(data, x, y, lines(targets.size(), false));
    style(plot, y);
    JFreeChart chart = chart("Latency by percentile (µs recorded, shown in ms)", plot);
    return svg(chart, "spectrum", width, height);
  }

  /**
   * Per-second time series of every target: latency p50 (dashed) and p99 (solid) in ms, request
   * rate in req/s and errors per second, sharing the time axis (seconds since measurement start).
   */
  public static String timeSeries(List<TargetSummary> targets, int width, int height) {
    XYSeriesCollection latency = new XYSeriesCollection();
    XYSeriesCollection rate = new XYSeriesCollection();
    XYSeriesCollection errors = new XYSeriesCollection();
    for (TargetSummary t : targets) {
      XYSeries p99 = new XYSeries(t.name() + " p99 (ms)", true, true);
      XYSeries p50 = new XYSeries(t.name() + " p50 (ms)", true, true);
      XYSeries r = new XYSeries(t.name() + " rate (req/s)", true, true);
      XYSeries e = new XYSeries(t.name() + " errors (/s)", true, true);
      for (TimePoint p : t.timeseries()) {
        p99.addOrUpdate(p.tS(), p.p99Us() / 1000.0);
        p50.addOrUpdate(p.tS(), p.p50Us() / 1000.0);
        r.addOrUpdate(p.tS(), p.rateRps());
        e.addOrUpdate(p.tS(), p.errorsPerS());
      }
      latency.addSeries(p99);
      latency.addSeries(p50);
      rate.addSeries(r);
      errors.addSeries(e);
    }
    NumberAxis time = new NumberAxis("seconds since measurement start (warm-up excluded)");
    time.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    plot.setGap(12);
    NumberAxis yLatency = new NumberAxis("latency (ms)");
    XYPlot lp = new XYPlot(latency, null, yLatency, lines(targets.size(), true));
    style(lp, yLatency);
    NumberAxis yRate = new NumberAxis("req/s");
    XYPlot rp = new XYPlot(rate, null, yRate, lines(targets.size(), false));
    style(rp, yRate);
    NumberAxis yErr = new NumberAxis("errors/s");
    yErr.setAutoRangeMinimumSize(1.0);
    // Counts and rates are never negative: keep the axes from dipping below zero.
    yErr.setRangeType(RangeType.POSITIVE);
    yRate.setRangeType(RangeType.POSITIVE);
    yLatency.setRangeType(RangeType.POSITIVE);
    XYPlot ep = new XYPlot(errors, null, yErr, lines(targets.size(), false));
    style(ep, yErr);
    plot.add(lp, 3);
    plot.add(rp, 2);
    plot.add(ep, 1);
    time.setTickLabelFont(TICK_FONT);
    time.setLabelFont(LABEL_FONT);
    JFreeChart chart = chart("Per second: latency p50/p99, request rate, errors", plot);
    return svg(chart, "timeseries", width, height);
  }

  private static XYLineAndShapeRenderer lines(int targets, boolean pairs) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    int series = pairs ? targets * 2 : targets;
    for (int i = 0; i < series; i++) {
      int target = pairs ? i / 2 : i;
      Paint color = PALETTE.get(target % PALETTE.size());
      r.setSeriesPaint(i, color);
      boolean dashed = pairs && i % 2 == 1;
      r.setSeriesStroke(
          i,
          dashed
              ? new BasicStroke(
                  1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {5f, 4f}, 0f)
              : new BasicStroke(2f));
    }
    return r;
  }

  private static void style(XYPlot plot, NumberAxis y) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlineVisible(false);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    y.setTickLabelFont(TICK_FONT);
    y.setLabelFont(LABEL_FONT);
    if (plot.getDomainAxis() != null) {
      plot.getDomainAxis().setTickLabelFont(TICK_FONT);
      plot.getDomainAxis().setLabelFont(LABEL_FONT);
    }
  }

  private static JFreeChart chart(String title, XYPlot plot) {
    JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setTextAntiAlias(true);
    TextTitle t = chart.getTitle();
    t.setHorizontalAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
    t.setPaint(new Color(0x222222));
    LegendTitle legend = chart.getLegend();
    legend.setPosition(RectangleEdge.BOTTOM);
    legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
    legend.setItemFont(LABEL_FONT);
    return chart;
  }

  private static String svg(JFreeChart chart, String id, int width, int height) {
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    g.setDefsKeyPrefix(id + "-");
    chart.draw(g, new Rectangle(0, 0, width, height));
    String svg = g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null);
    // Inline SVG in HTML5 needs no namespace declarations; dropping them keeps the report free of
    // any http(s) URI, so a grep for external references stays clean.
    return svg.replace(" xmlns='http://www.w3.org/2000/svg'", "")
        .replace(" xmlns:xlink='http://www.w3.org/1999/xlink'", "")
        .replace(" xmlns:jfreesvg='http://www.jfree.org/jfreesvg/svg'", "");
  }

  /** A log axis over 1/(1-p) whose ticks are labelled as percentiles, 50% to 99.999%. */
  static final class PercentileAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    private static final double[] TICKS = {2, 10, 100, 1_000, 10_000, 100_000};
    private static final String[] LABELS = {"50%", "90%", "99%", "99.9%", "99.99%", "99.999%"};

    PercentileAxis() {
      super("percentile (log scale of 1/(1-p))");
      // a little room right of 99.999% so its label is not clipped
      setRange(1, SPECTRUM_MAX_X * 1.6);
      setTickLabelFont(TICK_FONT);
      setLabelFont(LABEL_FONT);
    }

    @Override
    protected List<NumberTick> refreshTicksHorizontal(
        Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
      List<NumberTick> ticks = new ArrayList<>();
      for (int i = 0; i < TICKS.length; i++) {
        ticks.add(
            new NumberTick(
                TickType.MAJOR, TICKS[i], LABELS[i], TextAnchor.TOP_CENTER, TextAnchor.CENTER, 0));
      }
      return ticks;
    }
  }
}
