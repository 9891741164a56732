package dev.kumaforge.chaos.proxy.internal;

import dev.kumaforge.chaos.proxy.StreamDirection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one proxy: connections, bytes per direction, and per toxic. */
public final class ProxyMetrics {
  /** Counters of one toxic of the proxy. */
  public static final class ToxicMetrics {
    final String type;
    final StreamDirection stream;

    /** Bytes that entered the toxic on links where it was active. */
    public final LongAdder bytes = new LongAdder();

    /** Links the toxic was active on (after the toxicity draw). */
    public final LongAdder connections = new LongAdder();

    /** Links the toxic skipped (toxicity draw missed). */
    public final LongAdder skipped = new LongAdder();

    ToxicMetrics(String type, StreamDirection stream) {
      this.type = type;
      this.stream = stream;
    }

    /** The toxic type. */
    public String type() {
      return type;
    }

    /** The toxic direction. */
    public StreamDirection stream() {
      return stream;
    }
  }

  /** Accepted client connections. */
  public final LongAdder connectionsTotal = new LongAdder();

  /** Open client connections. */
  public final AtomicLong connectionsActive = new AtomicLong();

  /** Client connections closed because the upstream could not be reached. */
  public final LongAdder upstreamFailures = new LongAdder();

  /** Bytes read, per direction (upstream = from the client). */
  public final LongAdder[] received = {new LongAdder(), new LongAdder()};

  /** Bytes written, per direction (upstream = to the upstream server). */
  public final LongAdder[] sent = {new LongAdder(), new LongAdder()};

  private final Map<String, ToxicMetrics> toxics = new ConcurrentHashMap<>();

  /** The counters of toxic {@code name}, created on first use. */
  public ToxicMetrics toxic(String name, String type, StreamDirection stream) {
    return toxics.compute(
        name,
        (k, old) ->
            old != null && old.type.equals(type) && old.stream == stream
                ? old
                : new ToxicMetrics(type, stream));
  }

  /** All toxic counters by toxic name. */
  public Map<String, ToxicMetrics> toxics() {
    return Map.copyOf(toxics);
  }
}
