package dev.kumaforge.chaos.proxy.toxics;

import dev.kumaforge.chaos.proxy.toxics.ToxicType.Attribute;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Maps toxic type names to their {@link ToxicType}; {@link #standard()} is the Toxiproxy set. */
public final class ToxicRegistry {
  private final Map<String, ToxicType> types;

  private ToxicRegistry(Map<String, ToxicType> types) {
    this.types = Map.copyOf(types);
  }

  /** noop, latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data. */
  public static ToxicRegistry standard() {
    Map<String, ToxicType> m = new LinkedHashMap<>();
    add(m, new ToxicType("noop", List.of(), a -> Optional.empty(), a -> new NoopToxic()));
    add(
        m,
        new ToxicType(
            "latency",
            List.of(new Attribute("latency", "ms"), new Attribute("jitter", "ms")),
            a -> Optional.empty(),
            a -> new LatencyToxic(a.get("latency"), a.get("jitter"))));
    add(
        m,
        new ToxicType(
            "bandwidth",
            List.of(new Attribute("rate", "KB/s")),
            a -> Optional.empty(),
            a -> new BandwidthToxic(a.get("rate"))));
    add(
        m,
        new ToxicType(
            "slow_close",
            List.of(new Attribute("delay", "ms")),
            a -> Optional.empty(),
            a -> new SlowCloseToxic(a.get("delay"))));
    add(
        m,
        new ToxicType(
            "timeout",
            List.of(new Attribute("timeout", "ms")),
            a -> Optional.empty(),
            a -> new TimeoutToxic(a.get("timeout"))));
    add(
        m,
        new ToxicType(
            "reset_peer",
            List.of(new Attribute("timeout", "ms")),
            a -> Optional.empty(),
            a -> new ResetPeerToxic(a.get("timeout"))));
    add(
        m,
        new ToxicType(
            "slicer",
            List.of(
                new Attribute("average_size", "bytes"),
                new Attribute("size_variation", "bytes"),
                new Attribute("delay", "us")),
            ToxicRegistry::checkSlicer,
            a -> new SlicerToxic(a.get("average_size"), a.get("size_variation"), a.get("delay"))));
    add(
        m,
        new ToxicType(
            "limit_data",
            List.of(new Attribute("bytes", "bytes")),
            a -> Optional.empty(),
            a -> new LimitDataToxic(a.get("bytes"))));
    return new ToxicRegistry(m);
  }

  private static Optional<String> checkSlicer(Map<String, Long> a) {
    long avg = a.get("average_size");
    long variation = a.get("size_variation");
    if (avg < 1 || avg > Integer.MAX_VALUE) {
      return Optional.of("attributes.average_size: " + avg + " (expected: 1 to 2147483647 bytes)");
    }
    if (variation >= avg) {
      return Optional.of(
          "attributes.size_variation: "
              + variation
              + " (expected: less than average_size "
              + avg
              + ")");
    }
    return Optional.empty();
  }

  private static void add(Map<String, ToxicType> m, ToxicType t) {
    m.put(t.name(), t);
  }

  /** A registry with {@code type} added (or replacing the type of the same name). */
  public ToxicRegistry with(ToxicType type) {
    Map<String, ToxicType> m = new LinkedHashMap<>(types);
    m.put(type.name(), type);
    return new ToxicRegistry(m);
  }

  /** The type named {@code name}, if registered. */
  public Optional<ToxicType> find(String name) {
    return Optional.ofNullable(name == null ? null : types.get(name));
  }

  /** All registered type names. */
  public Set<String> names() {
    return new java.util.TreeSet<>(types.keySet());
  }
}
