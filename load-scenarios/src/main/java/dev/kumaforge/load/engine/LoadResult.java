package dev.kumaforge.load.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one trial against one target, as written to {@code result.json}.
 *
 * @param target the target's name
 * @param trial the trial number (1-based)
 * @param startedAt the measurement start (after warm-up)
 * @param durationSeconds the measured (scheduled) duration
 * @param intendedRateRps intended measured sends per second
 * @param attempted measured requests sent
 * @param completed measured requests finished, ok or error
 * @param ok 2xx responses
 * @param errors failed requests
 * @param errorsByKind errors per kind: {@code status_<code>}, {@code connect}, {@code timeout},
 *     {@code reset}, {@code protocol}
 * @param achievedRps completed requests per second of measured duration
 * @param lag the generator's own send lag
 * @param spinWindow the open-loop engine's spin window before each send, or null when the engine
 *     has none (Gatling)
 * @param maxConnectionsUsed the peak number of open connections
 * @param connections connections opened and closed by the target while measured, or null when the
 *     engine does not count them (Gatling)
 * @param valid false when the generator could not keep its schedule or send what it intended
 * @param invalidReason why the run is invalid, or null
 */
public record LoadResult(
    String target,
    int trial,
    Instant startedAt,
    double durationSeconds,
    double intendedRateRps,
    long attempted,
    long completed,
    long ok,
    long errors,
    Map<String, Long> errorsByKind,
    double achievedRps,
    Lag lag,
    SpinWindow spinWindow,
    int maxConnectionsUsed,
    Connections connections,
    boolean valid,
    String invalidReason) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public LoadResult {
    errorsByKind = Map.copyOf(errorsByKind);
  }

  /**
   * Connections while measured requests were being sent. A healthy keep-alive target shows none
   * closed: each close costs the client a new connection (a handshake, a cold first request).
   *
   * @param opened connections the generator opened
   * @param closedByTarget connections the target closed ({@code Connection: close} on an answer, or
   *     an idle or in-flight connection closed or reset by the target)
   */
  public record Connections(long opened, long closedByTarget) {
    /** The summary line's words, or "" when nothing happened. */
    public String describe() {
      if (opened == 0 && closedByTarget == 0) {
        return "";
      }
      return String.format(
          java.util.Locale.ROOT,
          ", %d connections opened, %d closed by the target",
          opened,
          closedByTarget);
    }
  }

  /**
   * The generator lag (actual send minus scheduled send) in microseconds.
   *
   * @param p50 median
   * @param p99 99th percentile
   * @param p999 99.9th percentile
   * @param max maximum
   */
  public record Lag(long p50, long p99, long p999, long max) {}

  /**
   * The open-loop engine's spin window in microseconds: how long before each intended send its
   * event loop stopped sleeping and polled. It follows the lateness of the loop's own timer
   * wake-ups; a window near its cap (500 us) means this machine's timers are very late.
   *
   * @param end the window the run ended with
   * @param min the smallest window over the run (warm-up included)
   * @param max the largest window over the run (warm-up included)
   */
  public record SpinWindow(long end, long min, long max) {}

  /** The {@code result.json} document (contract field names, snake case). */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("trial", trial);
    m.put("started_at", startedAt.toString());
    m.put("duration_s", durationSeconds);
    m.put("intended_rate_rps", round(intendedRateRps));
    m.put("attempted", attempted);
    m.put("completed", completed);
    m.put("ok", ok);
    m.put("errors", errors);
    m.put("errors_by_kind", new TreeMap<>(errorsByKind));
    m.put("achieved_rps", round(achievedRps));
    Map<String, Object> lagMap = new LinkedHashMap<>();
    lagMap.put("p50", lag.p50());
    lagMap.put("p99", lag.p99());
    lagMap.put("p999", lag.p999());
    lagMap.put("max", lag.max());
    m.put("lag_us", lagMap);
    if (spinWindow != null) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("end", spinWindow.end());
      s.put("min", spinWindow.min());
      s.put("max", spinWindow.max());
      m.put("spin_window_us", s);
    }
    m.put("max_connections_used", maxConnectionsUsed);
    if (connections != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("opened", connections.opened());
      c.put("closed_by_target", connections.closedByTarget());
      m.put("connections_measured", c);
    }
    m.put("valid", valid);
    m.put("invalid_reason", invalidReason);
    return m;
  }

  /** {@link #toJsonMap()} as indented JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toJsonMap()) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
