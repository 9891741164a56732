package dev.kumaforge.chaos.proxy;

import dev.kumaforge.chaos.proxy.internal.FaultProxy;
import dev.kumaforge.chaos.proxy.internal.ProxyMetrics;
import dev.kumaforge.chaos.proxy.internal.Transport;
import dev.kumaforge.chaos.proxy.toxics.ToxicRegistry;
import dev.kumaforge.chaos.proxy.toxics.ToxicType;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.time.NanoClock;
import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The proxies and their toxics, with Toxiproxy's semantics: the Java API behind the HTTP control
 * API, usable in-process. Every operation validates all of its input before changing anything and
 * throws {@link ApiException} with Toxiproxy's status and message prefix.
 */
public final class ProxyRegistry implements AutoCloseable {
  private final EventLoopGroup group;
  private final NanoClock clock;
  private final ToxicRegistry toxicTypes;
  private final long seed;
  private final Map<String, FaultProxy> proxies = new TreeMap<>();
  private long proxiesCreated;
  private boolean closed;

  /** A registry whose proxies run on {@code threads} event loop threads. */
  public ProxyRegistry(int threads, NanoClock clock, ToxicRegistry toxicTypes, long seed) {
    this.group = Transport.newGroup(threads, "forge-chaos-proxy");
    this.clock = clock;
    this.toxicTypes = toxicTypes;
    this.seed = seed;
  }

  /** The registered toxic types. */
  public ToxicRegistry toxicTypes() {
    return toxicTypes;
  }

  /** All proxies by name. */
  public synchronized Map<String, ProxyState> proxies() {
    Map<String, ProxyState> out = new LinkedHashMap<>();
    proxies.values().forEach(p -> out.put(p.name(), state(p)));
    return out;
  }

  /** The proxy {@code name}; 404 if unknown. */
  public synchronized ProxyState get(String name) {
    return state(find(name));
  }

  /** Creates and (when enabled) starts a proxy; 400 invalid, 409 exists, 500 cannot listen. */
  public synchronized ProxyState create(ProxySpec spec) {
    check(spec, "");
    if (proxies.containsKey(spec.name())) {
      throw new ApiException(409, "proxy already exists: " + spec.name());
    }
    FaultProxy p = newProxy(spec);
    if (spec.isEnabled()) {
      start(p);
    }
    proxies.put(p.name(), p);
    return state(p);
  }

  /**
   * Creates or replaces the given proxies (an existing proxy with the same listen and upstream is
   * kept with its toxics). All entries are validated before anything changes; if a listener cannot
   * be opened, the proxies created by this call are removed again.
   */
  public synchronized List<ProxyState> populate(List<ProxySpec> specs) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      ProxySpec s = specs.get(i);
      if (s == null) {
        throw new ApiException(400, "bad request body: proxy " + (i + 1) + " is null");
      }
      check(s, " at proxy " + (i + 1));
      if (!names.add(s.name())) {
        throw new ApiException(
            400, "bad request body: duplicate proxy name '" + s.name() + "' at proxy " + (i + 1));
      }
    }
    List<ProxyState> out = new ArrayList<>();
    List<FaultProxy> created = new ArrayList<>();
    try {
      for (ProxySpec s : specs) {
        FaultProxy existing = proxies.get(s.name());
        if (existing != null
            && sameAddress(existing.listen(), s.listenOrDefault())
            && existing.upstream().equals(s.upstream())) {
          setEnabled(existing, s.isEnabled());
          out.add(state(existing));
          continue;
        }
        if (existing != null) {
          existing.stop();
          proxies.remove(s.name());
        }
        FaultProxy p = newProxy(s);
        if (s.isEnabled()) {
          start(p);
        }
        proxies.put(p.name(), p);
        created.add(p);
        out.add(state(p));
      }
    } catch (ApiException e) {
      for (FaultProxy p : created) {
        p.stop();
        proxies.remove(p.name());
      }
      throw e;
    }
    return out;
  }

  private static boolean sameAddress(String bound, String requested) {
    if (bound.equals(requested)) {
      return true;
    }
    // A request for port 0 matches the proxy that already listens on the port chosen for it.
    HostPort b = HostPort.parse(bound, true);
    HostPort r = HostPort.parse(requested, true);
    return r.port() == 0 && b.host().equals(r.host());
  }

  /**
   * Changes a proxy: null fields keep their value. A new listen or upstream restarts the proxy
   * (cutting its connections); {@code enabled} starts or stops it.
   */
  public synchronized ProxyState update(
      String name, String listen, String upstream, Boolean enabled) {
    FaultProxy p = find(name);
    String newListen = listen == null ? p.listen() : listen;
    String newUpstream = upstream == null ? p.upstream() : upstream;
    boolean newEnabled = enabled == null ? p.enabled() : enabled;
    check(new ProxySpec(name, newListen, newUpstream, newEnabled), "");
    if (!newListen.equals(p.listen()) || !newUpstream.equals(p.upstream())) {
      boolean wasEnabled = p.enabled();
      String oldListen = p.listen();
      String oldUpstream = p.upstream();
      p.stop();
      p.setAddresses(newListen, newUpstream);
      if (newEnabled) {
        try {
          start(p);
        } catch (ApiException e) {
          p.setAddresses(oldListen, oldUpstream);
          if (wasEnabled) {
            startQuietly(p);
          }
          throw e;
        }
      }
      return state(p);
    }
    setEnabled(p, newEnabled);
    return state(p);
  }

  /** Stops and removes a proxy; 404 if unknown. */
  public synchronized void delete(String name) {
    FaultProxy p = find(name);
    p.stop();
    proxies.remove(name);
  }

  /**
   * Validates a toxic request and returns the spec it describes (nothing is created). Null fields
   * take Toxiproxy's defaults: stream downstream, toxicity 1, name {@code <type>_<stream>},
   * attributes 0.
   */
  public ToxicSpec toxicSpec(
      String name, String type, String stream, Double toxicity, Map<String, Long> attributes) {
    ToxicType t =
        toxicTypes
            .find(type)
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "invalid toxic type: '"
                            + (type == null ? "" : type)
                            + "' (expected one of "
                            + toxicTypes.names()
                            + ")"));
    StreamDirection dir = StreamDirection.DOWNSTREAM;
    if (stream != null) {
      dir =
          StreamDirection.parse(stream)
              .orElseThrow(
                  () ->
                      new ApiException(
                          400,
                          "stream was invalid, can be either upstream or downstream: '"
                              + stream
                              + "'"));
    }
    String toxicName = name == null || name.isEmpty() ? type + "_" + dir.wireName() : name;
    if (!ProxySpec.validName(toxicName)) {
      throw new ApiException(
          400,
          "bad request body: name: '"
              + toxicName
              + "' (expected: no '/', '?', '#', '%' or spaces)");
    }
    double tox = toxicity == null ? 1.0 : toxicity;
    if (!(tox >= 0 && tox <= 1)) {
      throw new ApiException(400, "bad request body: toxicity: " + tox + " (expected: 0 to 1)");
    }
    return new ToxicSpec(toxicName, type, dir, tox, attributes(t, Map.of(), attributes));
  }

  private static Map<String, Long> attributes(
      ToxicType t, Map<String, Long> base, Map<String, Long> given) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String a : t.attributeNames()) {
      out.put(a, base.getOrDefault(a, 0L));
    }
    if (given != null) {
      for (Map.Entry<String, Long> e : given.entrySet()) {
        if (!out.containsKey(e.getKey())) {
          throw new ApiException(
              400,
              "bad request body: attributes."
                  + e.getKey()
                  + ": unknown attribute of toxic type "
                  + t.name()
                  + " (expected one of "
                  + t.attributeNames()
                  + ")");
        }
        Long v = e.getValue();
        if (v == null || v < 0) {
          throw new ApiException(
              400,
              "bad request body: attributes."
                  + e.getKey()
                  + ": "
                  + v
                  + " (expected: an integer >= 0, in "
                  + unit(t, e.getKey())
                  + ")");
        }
        out.put(e.getKey(), v);
      }
    }
    t.check()
        .apply(out)
        .ifPresent(
            msg -> {
              throw new ApiException(400, "bad request body: " + msg);
            });
    return out;
  }

  private static String unit(ToxicType t, String attribute) {
    return t.attributes().stream()
        .filter(a -> a.name().equals(attribute))
        .map(ToxicType.Attribute::unit)
        .findFirst()
        .orElse("");
  }

  /** Adds a toxic to a proxy (live connections included); 404 proxy, 409 name taken. */
  public synchronized ToxicSpec addToxic(String proxy, ToxicSpec spec) {
    FaultProxy p = find(proxy);
    ToxicType t = toxicTypes.find(spec.type()).orElseThrow();
    if (p.toxic(spec.name()) != null) {
      throw new ApiException(409, "toxic already exists: " + spec.name());
    }
    p.addToxic(spec, t);
    return spec;
  }

  /** The toxic {@code toxic} of {@code proxy}; 404 if either is unknown. */
  public synchronized ToxicSpec toxic(String proxy, String toxic) {
    ToxicSpec s = find(proxy).toxic(toxic);
    if (s == null) {
      throw new ApiException(404, "toxic not found: " + toxic);
    }
    return s;
  }

  /** The toxics of {@code proxy}, upstream chain first. */
  public synchronized List<ToxicSpec> toxics(String proxy) {
    return find(proxy).toxics();
  }

  /** Changes a toxic's attributes (merged into the current ones) and toxicity (null = keep). */
  public synchronized ToxicSpec updateToxic(
      String proxy, String toxic, Map<String, Long> attributes, Double toxicity) {
    FaultProxy p = find(proxy);
    ToxicSpec old = toxic(proxy, toxic);
    ToxicType t = toxicTypes.find(old.type()).orElseThrow();
    double tox = toxicity == null ? old.toxicity() : toxicity;
    if (!(tox >= 0 && tox <= 1)) {
      throw new ApiException(400, "bad request body: toxicity: " + tox + " (expected: 0 to 1)");
    }
    ToxicSpec updated = old.with(attributes(t, old.attributes(), attributes), tox);
    p.updateToxic(updated, t);
    return updated;
  }

  /** Removes a toxic; what it holds on live connections is passed on. 404 if unknown. */
  public synchronized void removeToxic(String proxy, String toxic) {
    FaultProxy p = find(proxy);
    toxic(proxy, toxic);
    p.removeToxic(toxic);
  }

  /** Enables every proxy and removes every toxic. */
  public synchronized void reset() {
    for (FaultProxy p : proxies.values()) {
      if (!p.enabled()) {
        start(p);
      }
      for (ToxicSpec s : p.toxics()) {
        p.removeToxic(s.name());
      }
    }
  }

  /**
   * The counters of every proxy and toxic in the Prometheus text format, written by client_java
   * from one snapshot taken under the registry's lock.
   */
  public String metricsText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      PrometheusTextFormatWriter.create().write(out, metricsSnapshot());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Content type of {@link #metricsText()}. */
  public static String metricsContentType() {
    return PrometheusTextFormatWriter.create().getContentType();
  }

  private synchronized MetricSnapshots metricsSnapshot() {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    all.metricSnapshot(
        counter(
            "chaos_proxy_connections",
            "Client connections accepted.",
            p -> List.of(point(p, p.metrics().connectionsTotal.sum()))));
    all.metricSnapshot(
        gauge(
            "chaos_proxy_connections_active",
            "Client connections open.",
            p -> p.metrics().connectionsActive.get()));
    all.metricSnapshot(
        counter(
            "chaos_proxy_upstream_failures",
            "Client connections closed because the upstream could not be reached.",
            p -> List.of(point(p, p.metrics().upstreamFailures.sum()))));
    all.metricSnapshot(
        gauge(
            "chaos_proxy_enabled",
            "1 when the proxy listens, 0 when it is down.",
            p -> p.enabled() ? 1 : 0));
    all.metricSnapshot(
        counter(
            "chaos_proxy_received_bytes",
            "Bytes read, by direction (upstream = from the client).",
            p -> directions(p, p.metrics().received)));
    all.metricSnapshot(
        counter(
            "chaos_proxy_sent_bytes",
            "Bytes written, by direction (upstream = to the upstream server).",
            p -> directions(p, p.metrics().sent)));
    all.metricSnapshot(
        counter(
            "chaos_toxic_connections",
            "Links a toxic was active on (after the toxicity draw).",
            p -> toxics(p, m -> m.connections.sum())));
    all.metricSnapshot(
        counter(
            "chaos_toxic_skipped_connections",
            "Links a toxic skipped (toxicity draw missed).",
            p -> toxics(p, m -> m.skipped.sum())));
    all.metricSnapshot(
        counter(
            "chaos_toxic_bytes",
            "Bytes that entered a toxic on links where it was active.",
            p -> toxics(p, m -> m.bytes.sum())));
    return all.build();
  }

  private CounterSnapshot counter(
      String metric,
      String help,
      Function<FaultProxy, List<CounterSnapshot.CounterDataPointSnapshot>> points) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(metric).help(help);
    for (FaultProxy p : proxies.values()) {
      points.apply(p).forEach(b::dataPoint);
    }
    return b.build();
  }

  private GaugeSnapshot gauge(String metric, String help, ToDoubleFunction<FaultProxy> value) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(metric).help(help);
    for (FaultProxy p : proxies.values()) {
      b.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .value(value.applyAsDouble(p))
              .labels(Labels.of("proxy", p.name()))
              .build());
    }
    return b.build();
  }

  private static CounterSnapshot.CounterDataPointSnapshot point(
      FaultProxy p, double value, String... labels) {
    String[] all = new String[labels.length + 2];
    all[0] = "proxy";
    all[1] = p.name();
    System.arraycopy(labels, 0, all, 2, labels.length);
    return CounterSnapshot.CounterDataPointSnapshot.builder()
        .value(value)
        .labels(Labels.of(all))
        .build();
  }

  private static List<CounterSnapshot.CounterDataPointSnapshot> directions(
      FaultProxy p, java.util.concurrent.atomic.LongAdder[] byDirection) {
    List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
    for (StreamDirection d : StreamDirection.values()) {
      points.add(point(p, byDirection[d.ordinal()].sum(), "direction", d.wireName()));
    }
    return points;
  }

  private static List<CounterSnapshot.CounterDataPointSnapshot> toxics(
      FaultProxy p, ToLongFunction<ProxyMetrics.ToxicMetrics> value) {
    List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
    for (Map.Entry<String, ProxyMetrics.ToxicMetrics> e :
        new TreeMap<>(p.metrics().toxics()).entrySet()) {
      ProxyMetrics.ToxicMetrics m = e.getValue();
      points.add(
          point(
              p,
              value.applyAsLong(m),
              "toxic",
              e.getKey(),
              "type",
              m.type(),
              "stream",
              m.stream().wireName()));
    }
    return points;
  }

  /** Stops every proxy and frees the event loop threads. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    proxies.values().forEach(FaultProxy::stop);
    proxies.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private FaultProxy find(String name) {
    FaultProxy p = proxies.get(name);
    if (p == null) {
      throw new ApiException(404, "proxy not found: " + name);
    }
    return p;
  }

  private FaultProxy newProxy(ProxySpec spec) {
    proxiesCreated++;
    return new FaultProxy(
        spec.name(), spec.listenOrDefault(), spec.upstream(), group, clock, seed + proxiesCreated);
  }

  private void setEnabled(FaultProxy p, boolean enabled) {
    if (enabled && !p.enabled()) {
      start(p);
    } else if (!enabled && p.enabled()) {
      p.stop();
    }
  }

  private static void start(FaultProxy p) {
    try {
      p.start();
    } catch (Exception e) {
      throw new ApiException(
          500, "cannot listen on " + p.listen() + " for proxy " + p.name() + ": " + e.getMessage());
    }
  }

  private static void startQuietly(FaultProxy p) {
    try {
      p.start();
    } catch (Exception e) {
      // The caller reports the original failure; the proxy stays down.
    }
  }

  private static void check(ProxySpec spec, String where) {
    Validator v = Validator.root();
    spec.validate(v);
    if (!v.isValid()) {
      var first = v.errors().get(0);
      String msg = first.message();
      if (msg.equals("missing required key")) {
        throw new ApiException(400, "missing required field: " + first.path() + where);
      }
      throw new ApiException(400, "bad request body: " + first.path() + where + ": " + msg);
    }
  }

  private static ProxyState state(FaultProxy p) {
    return new ProxyState(p.name(), p.listen(), p.upstream(), p.enabled(), p.toxics());
  }
}
