package dev.kumaforge.chaos.proxy;

import dev.kumaforge.chaos.proxy.internal.FaultProxy;
import dev.kumaforge.chaos.proxy.internal.ProxyMetrics;
import dev.kumaforge.chaos.proxy.internal.Transport;
import dev.kumaforge.chaos.proxy.toxics.ToxicRegistry;
import dev.kumaforge.chaos.proxy.toxics.ToxicType;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.time.NanoClock;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

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

  /** The counters of every proxy and toxic in the Prometheus text format 0.0.4. */
  public synchronized String metricsText() {
    StringBuilder sb = new StringBuilder(2048);
    header(sb, "chaos_proxy_connections_total", "counter", "Client connections accepted.");
    proxies
        .values()
        .forEach(
            p ->
                line(
                    sb,
                    "chaos_proxy_connections_total",
                    p,
                    "",
                    p.metrics().connectionsTotal.sum()));
    header(sb, "chaos_proxy_connections_active", "gauge", "Client connections open.");
    proxies
        .values()
        .forEach(
            p ->
                line(
                    sb,
                    "chaos_proxy_connections_active",
                    p,
                    "",
                    p.metrics().connectionsActive.get()));
    header(
        sb,
        "chaos_proxy_upstream_failures_total",
        "counter",
        "Client connections closed because the upstream could not be reached.");
    proxies
        .values()
        .forEach(
            p ->
                line(
                    sb,
                    "chaos_proxy_upstream_failures_total",
                    p,
                    "",
                    p.metrics().upstreamFailures.sum()));
    header(sb, "chaos_proxy_enabled", "gauge", "1 when the proxy listens, 0 when it is down.");
    proxies.values().forEach(p -> line(sb, "chaos_proxy_enabled", p, "", p.enabled() ? 1 : 0));
    header(
        sb,
        "chaos_proxy_received_bytes_total",
        "counter",
        "Bytes read, by direction (upstream = from the client).");
    for (FaultProxy p : proxies.values()) {
      for (StreamDirection d : StreamDirection.values()) {
        line(
            sb,
            "chaos_proxy_received_bytes_total",
            p,
            ",direction=\"" + d.wireName() + "\"",
            p.metrics().received[d.ordinal()].sum());
      }
    }
    header(
        sb,
        "chaos_proxy_sent_bytes_total",
        "counter",
        "Bytes written, by direction (upstream = to the upstream server).");
    for (FaultProxy p : proxies.values()) {
      for (StreamDirection d : StreamDirection.values()) {
        line(
            sb,
            "chaos_proxy_sent_bytes_total",
            p,
            ",direction=\"" + d.wireName() + "\"",
            p.metrics().sent[d.ordinal()].sum());
      }
    }
    header(
        sb,
        "chaos_toxic_connections_total",
        "counter",
        "Links a toxic was active on (after the toxicity draw).");
    toxicLines(sb, "chaos_toxic_connections_total", 0);
    header(
        sb,
        "chaos_toxic_skipped_connections_total",
        "counter",
        "Links a toxic skipped (toxicity draw missed).");
    toxicLines(sb, "chaos_toxic_skipped_connections_total", 1);
    header(
        sb,
        "chaos_toxic_bytes_total",
        "counter",
        "Bytes that entered a toxic on links where it was active.");
    toxicLines(sb, "chaos_toxic_bytes_total", 2);
    return sb.toString();
  }

  private void toxicLines(StringBuilder sb, String metric, int which) {
    for (FaultProxy p : proxies.values()) {
      for (Map.Entry<String, ProxyMetrics.ToxicMetrics> e :
          new TreeMap<>(p.metrics().toxics()).entrySet()) {
        ProxyMetrics.ToxicMetrics m = e.getValue();
        long v =
            switch (which) {
              case 0 -> m.connections.sum();
              case 1 -> m.skipped.sum();
              default -> m.bytes.sum();
            };
        String labels =
            ",toxic=\""
                + escape(e.getKey())
                + "\",type=\""
                + escape(m.type())
                + "\",stream=\""
                + m.stream().wireName()
                + "\"";
        line(sb, metric, p, labels, v);
      }
    }
  }

  private static void header(StringBuilder sb, String metric, String type, String help) {
    sb.append("# HELP ").append(metric).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(metric).append(' ').append(type).append('\n');
  }

  private static void line(
      StringBuilder sb, String metric, FaultProxy p, String labels, long value) {
    sb.append(metric)
        .append("{proxy=\"")
        .append(escape(p.name()))
        .append('"')
        .append(labels)
        .append("} ")
        .append(value)
        .append('\n');
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
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
