package dev.kumaforge.reports.model;

/**
 * A figure published by others for a gateway this run did not measure, shown in the reports marked
 * "published, not measured here"; from the versioned resource {@code published-figures.yaml}.
 *
 * @param id stable identifier
 * @param product {@code envoy}, {@code kuma}, {@code istio}...
 * @param shownFor the target type whose absence makes this row appear ({@code envoy} or {@code
 *     kuma})
 * @param metric what was measured, e.g. {@code cpu_us_per_request}
 * @param value the figure, or null when the product publishes none
 * @param unit the figure's unit
 * @param statement the figure in one sentence
 * @param conditions how it was measured
 * @param source where it was published: a URL, or a description when no URL is known
 * @param sourceVerified true when the source was read and says what {@code statement} says
 */
public record PublishedFigure(
    String id,
    String product,
    String shownFor,
    String metric,
    Double value,
    String unit,
    String statement,
    String conditions,
    String source,
    boolean sourceVerified) {

  /** The marker every report shows next to these figures. */
  public static final String MARK = "published, not measured here";
}
