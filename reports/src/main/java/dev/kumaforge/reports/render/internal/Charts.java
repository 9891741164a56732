package dev.kumaforge.reports.render.internal;

import dev.kumaforge.reports.internal.Units;
import dev.kumaforge.reports.model.Event;
import dev.kumaforge.reports.model.LatencyPercentiles;
import dev.kumaforge.reports.model.SpectrumPoint;
import dev.kumaforge.reports.model.TargetSummary;
import dev.kumaforge.reports.model.TimePoint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.RangeType;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
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
  private static final Color FAULT = new Color(207, 34, 46, 40);
  private static final Color PHASE = new Color(0x57606A);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);
  private static final Color LABEL_BG = new Color(255, 255, 255, 210);
  private static final BasicStroke DOTTED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {2f, 3f}, 0f);
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
    return timeSeries(targets, List.of(), width, height);
  }

  /**
   * Like {@link #timeSeries(List, int, int)}, with fault windows ({@code fault_start} to {@code
   * fault_end} of the same name, or to the end when never closed) shaded red and phase boundaries
   * drawn as labelled vertical lines on every panel.
   */
  public static String timeSeries(
      List<TargetSummary> targets, List<Event> events, int width, int height) {
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
    double end =
        targets.stream()
            .flatMap(t -> t.timeseries().stream())
            .mapToDouble(TimePoint::tS)
            .max()
            .orElse(0);
    for (EventMarkers.Window w : EventMarkers.windows(events, end)) {
      for (XYPlot p : List.of(lp, rp, ep)) {
        IntervalMarker m = new IntervalMarker(w.fromS(), w.toS());
        m.setPaint(FAULT);
        if (p == lp) {
          m.setLabel("fault: " + w.name());
          m.setLabelFont(LABEL_FONT);
          m.setLabelBackgroundColor(LABEL_BG);
          m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
          m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
          m.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
        }
        p.addDomainMarker(m, Layer.BACKGROUND);
      }
    }
    for (Event e : events) {
      if (!Event.PHASE.equals(e.type())) {
        continue;
      }
      for (XYPlot p : List.of(lp, rp, ep)) {
        ValueMarker m = new ValueMarker(e.tMs() / 1000.0);
        m.setPaint(PHASE);
        m.setStroke(DASHED);
        if (p == lp) {
          // labels right of the line, or left of it in the last fifth so they are not clipped
          boolean late = e.tMs() / 1000.0 > end * 0.8;
          m.setLabel("phase: " + e.name());
          m.setLabelFont(LABEL_FONT);
          m.setLabelBackgroundColor(LABEL_BG);
          m.setLabelAnchor(late ? RectangleAnchor.BOTTOM_LEFT : RectangleAnchor.BOTTOM_RIGHT);
          m.setLabelTextAnchor(late ? TextAnchor.BOTTOM_RIGHT : TextAnchor.BOTTOM_LEFT);
        }
        p.addDomainMarker(m, Layer.FOREGROUND);
      }
    }
    plot.add(lp, 3);
    plot.add(rp, 2);
    plot.add(ep, 1);
    time.setTickLabelFont(TICK_FONT);
    time.setLabelFont(LABEL_FONT);
    JFreeChart chart = chart("Per second: latency p50/p99, request rate, errors", plot);
    return svg(chart, "timeseries", width, height);
  }

  /**
   * A percentile chart of one LLM timing ({@code ttft}, {@code itl} or {@code tpot}) per target:
   * p50, p90, p99, p99.9 and p99.99 on the percentile log axis; targets without it are left out.
   */
  public static String llm(
      List<TargetSummary> targets, String metric, String title, int width, int height) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    int series = 0;
    for (int i = 0; i < targets.size(); i++) {
      TargetSummary t = targets.get(i);
      LatencyPercentiles p =
          switch (metric) {
            case "ttft" -> t.ttftUs();
            case "itl" -> t.itlUs();
            default -> t.tpotUs();
          };
      if (p == null || p.count() == 0) {
        continue;
      }
      XYSeries s = new XYSeries(t.name() + " (ms)", true, true);
      s.add(2, p.p50() / 1000.0);
      s.add(10, p.p90() / 1000.0);
      s.add(100, p.p99() / 1000.0);
      s.add(1_000, p.p999() / 1000.0);
      s.add(10_000, p.p9999() / 1000.0);
      data.addSeries(s);
      r.setSeriesPaint(series, PALETTE.get(i % PALETTE.size()));
      r.setSeriesStroke(series, new BasicStroke(2f));
      series++;
    }
    PercentileAxis x = new PercentileAxis();
    NumberAxis y = new NumberAxis("ms");
    y.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(data, x, y, r);
    style(plot, y);
    return svg(chart(title, plot), "llm-" + metric, width, height);
  }

  /**
   * One target's capacity curve.
   *
   * @param points {@code {offered rate, p50 µs, p99 µs}} per step with a latency, by rate
   * @param kneeRps the knee, or 0 when unknown
   * @param maxSustainedRps the highest sustained rate, or 0 when none
   */
  public record Curve(String name, List<double[]> points, double kneeRps, double maxSustainedRps) {}

  /**
   * The capacity curve: latency p99 (solid) and p50 (dashed) in ms, log scale, against offered rate
   * per target; the latency limits of {@code sloUs} as red horizontal lines; each target's knee
   * (dotted) and highest sustained rate (solid) as vertical lines in its color.
   */
  public static String capacity(
      List<Curve> curves, java.util.Map<String, Long> sloUs, int w, int h) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Curve c : curves) {
      XYSeries p99 = new XYSeries(c.name() + " p99 (ms)", true, true);
      XYSeries p50 = new XYSeries(c.name() + " p50 (ms)", true, true);
      for (double[] p : c.points()) {
        if (p[2] > 0) {
          p99.addOrUpdate(p[0], p[2] / 1000.0);
        }
        if (p[1] > 0) {
          p50.addOrUpdate(p[0], p[1] / 1000.0);
        }
      }
      data.addSeries(p99);
      data.addSeries(p50);
    }
    NumberAxis x = new NumberAxis("offered rate (req/s, open loop)");
    x.setAutoRangeIncludesZero(true);
    LogAxis y = new LogAxis("latency (ms, log scale)");
    y.setSmallestValue(0.01);
    y.setTickLabelFont(TICK_FONT);
    y.setLabelFont(LABEL_FONT);
    y.setNumberFormatOverride(
        new java.text.DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    y.setBase(10);
    // one labelled tick per power of ten (0.1, 1, 10, 100 ms), grid lines in between
    y.setTickUnit(new NumberTickUnit(1.0), false, true);
    y.setMinorTickCount(9);
    y.setMinorTickMarksVisible(true);
    XYLineAndShapeRenderer r = lines(curves.size(), true);
    r.setDefaultShapesVisible(true);
    for (int i = 0; i < curves.size() * 2; i++) {
      r.setSeriesShapesVisible(i, true);
    }
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlineVisible(false);
    x.setTickLabelFont(TICK_FONT);
    x.setLabelFont(LABEL_FONT);
    double maxY = 0;
    for (java.util.Map.Entry<String, Long> e : new java.util.TreeMap<>(sloUs).entrySet()) {
      if (!e.getKey().equals("p50") && !e.getKey().equals("p99")) {
        continue;
      }
      ValueMarker m = new ValueMarker(e.getValue() / 1000.0);
      m.setPaint(new Color(0xCF222E));
      m.setStroke(new BasicStroke(2f));
      m.setLabel("SLO " + e.getKey() + " <= " + Units.micros(e.getValue()));
      m.setLabelFont(LABEL_FONT);
      m.setLabelBackgroundColor(LABEL_BG);
      m.setLabelPaint(new Color(0xCF222E));
      m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
      plot.addRangeMarker(m, Layer.FOREGROUND);
      maxY = Math.max(maxY, e.getValue() / 1000.0);
    }
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      Color color = PALETTE.get(i % PALETTE.size());
      if (c.kneeRps() > 0) {
        ValueMarker k = new ValueMarker(c.kneeRps());
        k.setPaint(color);
        k.setStroke(DOTTED);
        k.setLabel("knee " + c.name() + " " + Units.trim(c.kneeRps()) + "/s");
        k.setLabelFont(TICK_FONT);
        k.setLabelBackgroundColor(LABEL_BG);
        k.setLabelPaint(color);
        k.setLabelAnchor(i % 2 == 0 ? RectangleAnchor.BOTTOM_LEFT : RectangleAnchor.LEFT);
        k.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addDomainMarker(k, Layer.FOREGROUND);
      }
      if (c.maxSustainedRps() > 0) {
        ValueMarker m = new ValueMarker(c.maxSustainedRps());
        m.setPaint(color);
        m.setStroke(new BasicStroke(2f));
        m.setLabel("max sustained " + c.name() + " " + Units.trim(c.maxSustainedRps()) + "/s");
        m.setLabelFont(TICK_FONT);
        m.setLabelBackgroundColor(LABEL_BG);
        m.setLabelPaint(color);
        m.setLabelAnchor(i % 2 == 0 ? RectangleAnchor.TOP_LEFT : RectangleAnchor.LEFT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(m, Layer.FOREGROUND);
      }
    }
    if (maxY > 0 && data.getSeriesCount() > 0) {
      // keep the SLO line inside the chart even when every step was far below it
      double top = Math.max(maxY * 1.5, y.getUpperBound());
      y.setAutoRange(true);
      plot.configureRangeAxes();
      if (y.getUpperBound() < top) {
        y.setRange(Math.max(0.01, Math.min(y.getLowerBound(), maxY / 10)), top);
      }
    }
    return svg(chart("Capacity: latency against offered rate", plot), "capacity", w, h);
  }

  /** One bar per target with the trial-to-trial range drawn as an error bar. */
  public record Bar(String target, int colorIndex, double value, double min, double max) {}

  /**
   * A bar chart of one figure per target ({@code bars}), each bar in its target's color, with the
   * smallest and largest per-trial value as an error bar.
   */
  public static String bars(String id, String title, String unit, List<Bar> bars, int w, int h) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Bar b : bars) {
      data.addValue(b.value(), unit, b.target());
    }
    CategoryAxis x = new CategoryAxis();
    x.setTickLabelFont(LABEL_FONT);
    NumberAxis y = new NumberAxis(unit);
    y.setTickLabelFont(TICK_FONT);
    y.setLabelFont(LABEL_FONT);
    y.setAutoRangeIncludesZero(true);
    // the axis must hold the whiskers too, not only the bars
    double hi = 0;
    double lo = 0;
    for (Bar b : bars) {
      hi = Math.max(hi, Math.max(b.value(), b.max()));
      lo = Math.min(lo, Math.min(b.value(), b.min()));
    }
    if (hi > lo) {
      y.setRange(lo < 0 ? lo * 1.1 : 0, hi > 0 ? hi * 1.1 : 0);
    }
    RangeBarRenderer r = new RangeBarRenderer(bars);
    CategoryPlot plot = new CategoryPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlineVisible(false);
    JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setTextAntiAlias(true);
    chart.getTitle().setHorizontalAlignment(org.jfree.chart.ui.HorizontalAlignment.LEFT);
    return svg(chart, id, w, h);
  }

  /** Bars colored per target, with a min-max whisker per bar. */
  static final class RangeBarRenderer extends BarRenderer {
    private static final long serialVersionUID = 1L;
    private final transient List<Bar> bars;

    RangeBarRenderer(List<Bar> bars) {
      this.bars = bars;
      setShadowVisible(false);
      setBarPainter(new StandardBarPainter());
      setMaximumBarWidth(0.18);
      setDefaultItemLabelsVisible(false);
    }

    @Override
    public Paint getItemPaint(int row, int column) {
      return PALETTE.get(bars.get(column).colorIndex() % PALETTE.size());
    }

    @Override
    public void drawItem(
        Graphics2D g2,
        CategoryItemRendererState state,
        Rectangle2D dataArea,
        CategoryPlot plot,
        CategoryAxis domainAxis,
        ValueAxis rangeAxis,
        CategoryDataset dataset,
        int row,
        int column,
        int pass) {
      super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
      Bar b = bars.get(column);
      if (pass != 0 || b.max() <= b.min()) {
        return;
      }
      double x0 =
          calculateBarW0(plot, plot.getOrientation(), dataArea, domainAxis, state, row, column);
      double xc = x0 + state.getBarWidth() / 2;
      double half = Math.max(4, state.getBarWidth() / 4);
      double yMin = rangeAxis.valueToJava2D(b.min(), dataArea, plot.getRangeAxisEdge());
      double yMax = rangeAxis.valueToJava2D(b.max(), dataArea, plot.getRangeAxisEdge());
      g2.setPaint(Color.BLACK);
      g2.setStroke(new BasicStroke(1.5f));
      g2.draw(new Line2D.Double(xc, yMin, xc, yMax));
      g2.draw(new Line2D.Double(xc - half, yMin, xc + half, yMin));
      g2.draw(new Line2D.Double(xc - half, yMax, xc + half, yMax));
    }
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
