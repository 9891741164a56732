package dev.kumaforge.backends.internal;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A provider's {@code /metrics}: its ground-truth ledger and generation slots, read at scrape time
 * from one ledger snapshot (so every counter of a scrape agrees) and written by Prometheus
 * client_java's text format writer.
 */
final class ProviderMetrics implements MultiCollector {
  /** Content type of {@link #scrape()}. */
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.create().getContentType();

  private final ProviderRuntime provider;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  ProviderMetrics(ProviderRuntime provider) {
    this.provider = provider;
    registry.register(this);
  }

  /** The metrics in the Prometheus text format. */
  String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public MetricSnapshots collect() {
    String name = provider.config().name();
    List<Ledger.Row> rows = provider.ledger().snapshot();
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    all.metricSnapshot(
        counter(
            "forge_backend_requests",
            "Requests answered, per API key and model.",
            name,
            rows,
            Ledger.Row::requests));
    all.metricSnapshot(
        counter(
            "forge_backend_errors",
            "Requests answered with an error or cut short.",
            name,
            rows,
            Ledger.Row::errors));
    all.metricSnapshot(
        counter(
            "forge_backend_prompt_tokens",
            "Prompt tokens billed.",
            name,
            rows,
            Ledger.Row::promptTokens));
    all.metricSnapshot(
        counter(
            "forge_backend_completion_tokens",
            "Completion tokens the clients received.",
            name,
            rows,
            Ledger.Row::completionTokens));
    all.metricSnapshot(
        counter(
            "forge_backend_cost_usd",
            "Cost in US dollars at the configured prices.",
            name,
            rows,
            r ->
                provider
                    .config()
                    .model(r.model())
                    .map(m -> m.price().cost(r.promptTokens(), r.completionTokens()))
                    .orElse(0.0)));
    GaugeSnapshot.Builder active =
        GaugeSnapshot.builder()
            .name("forge_backend_active_sequences")
            .help("Sequences being generated (slots in use).");
    GaugeSnapshot.Builder waiting =
        GaugeSnapshot.builder()
            .name("forge_backend_waiting_requests")
            .help("Requests waiting for a slot.");
    for (ModelRuntime m : provider.models()) {
      Labels labels = Labels.of("provider", name, "model", m.config().name());
      active.dataPoint(gaugePoint(m.slots().active(), labels));
      waiting.dataPoint(gaugePoint(m.slots().waiting(), labels));
    }
    all.metricSnapshot(active.build());
    all.metricSnapshot(waiting.build());
    WireStats w = provider.wire();
    Labels p = Labels.of("provider", name);
    all.metricSnapshot(
        CounterSnapshot.builder()
            .name("forge_backend_connections")
            .help("TCP connections accepted, per protocol (http1 | h2c).")
            .dataPoint(counterPoint(w.http1Connections.get(), p.add("protocol", "http1")))
            .dataPoint(counterPoint(w.h2Connections.get(), p.add("protocol", "h2c")))
            .build());
    all.metricSnapshot(
        CounterSnapshot.builder()
            .name("forge_backend_h2_streams")
            .help("HTTP/2 streams opened by clients.")
            .dataPoint(counterPoint(w.streams.get(), p))
            .build());
    all.metricSnapshot(
        CounterSnapshot.builder()
            .name("forge_backend_h2_streams_reset")
            .help("HTTP/2 streams the client reset (RST_STREAM: a cancelled request).")
            .dataPoint(counterPoint(w.streamsReset.get(), p))
            .build());
    all.metricSnapshot(
        GaugeSnapshot.builder()
            .name("forge_backend_open_connections")
            .help("TCP connections open now.")
            .dataPoint(gaugePoint(w.openConnections.get(), p))
            .build());
    all.metricSnapshot(
        GaugeSnapshot.builder()
            .name("forge_backend_open_h2_streams")
            .help("HTTP/2 streams open now.")
            .dataPoint(gaugePoint(w.openStreams.get(), p))
            .build());
    return all.build();
  }

  private static CounterSnapshot.CounterDataPointSnapshot counterPoint(double v, Labels labels) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().value(v).labels(labels).build();
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot gaugePoint(long v, Labels labels) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v).labels(labels).build();
  }

  private static CounterSnapshot counter(
      String metric,
      String help,
      String provider,
      List<Ledger.Row> rows,
      ToDoubleFunction<Ledger.Row> value) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(metric).help(help);
    for (Ledger.Row r : rows) {
      b.dataPoint(
          counterPoint(
              value.applyAsDouble(r),
              Labels.of("provider", provider, "api_key", r.apiKey(), "model", r.model())));
    }
    return b.build();
  }
}
