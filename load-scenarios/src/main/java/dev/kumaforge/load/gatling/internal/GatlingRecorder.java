package dev.kumaforge.load.gatling.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.load.engine.LoadResult;
import dev.kumaforge.load.engine.OpenLoopEngine;
import dev.kumaforge.load.engine.internal.ErrorKinds;
import dev.kumaforge.load.engine.internal.StreamEvents;
import dev.kumaforge.load.engine.internal.TaggedRecorders;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records every request a Gatling simulation sends, in microseconds from the request's intended
 * start (the virtual user's scheduled start for its first turn, the end of the think time for the
 * next turns), into the same tagged {@code .hlog} as the open-loop engine, and writes {@code
 * result.json}. Gatling's threads record concurrently ({@code Recorder}s allow that); one reporting
 * thread writes an interval every second from the end of the warm-up on.
 */
public final class GatlingRecorder {
  private static final long TICK_NANOS = 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DATA_KEY = "\"data\":";
  private static final Pattern EVENT = Pattern.compile("\"event\":\"([^\"]*)\"");

  private final TaggedRecorders recorders;
  private final Path trialDir;
  private final String target;
  private final int trial;
  private final long warmupNanos;
  private final long measuredNanos;
  private final long timeoutNanos;
  private final double intendedRps;
  private final AtomicLong t0 = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong attempted = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Map<String, AtomicLong> errorsByKind = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor reporter;
  private volatile Instant measureStartWall;
  private boolean logStarted;

  /**
   * A recorder writing to {@code trialDir}.
   *
   * @param warmupNanos sends this long after the first user's start are not measured
   * @param measuredNanos the measured duration (the phases)
   * @param intendedRps the scenario's intended measured request rate
   */
  public GatlingRecorder(
      Path trialDir,
      String target,
      int trial,
      long warmupNanos,
      long measuredNanos,
      long timeoutNanos,
      double intendedRps) {
    this.trialDir = trialDir;
    this.target = target;
    this.trial = trial;
    this.warmupNanos = warmupNanos;
    this.measuredNanos = measuredNanos;
    this.timeoutNanos = timeoutNanos;
    this.intendedRps = intendedRps;
    this.recorders =
        new TaggedRecorders(
            trialDir.resolve(HlogTags.LATENCY_LOG),
            List.of(HlogTags.LATENCY, HlogTags.ERROR, HlogTags.TTFT, HlogTags.ITL, HlogTags.TPOT));
    this.reporter =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "forge-gatling-report");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Called at the start of every virtual user: fixes the run's time zero at the first one and
   * returns the user's start, which is its first request's intended send time.
   */
  public long userStarted() {
    long now = System.nanoTime();
    if (t0.compareAndSet(Long.MIN_VALUE, now)) {
      measureStartWall = Instant.now().plusNanos(warmupNanos);
      reporter.schedule(this::startLog, warmupNanos, TimeUnit.NANOSECONDS);
    }
    return now;
  }

  /** Whether a request intended at {@code intendedNanos} lies in the measured window. */
  public boolean measured(long intendedNanos) {
    long offset = intendedNanos - t0.get();
    return offset >= warmupNanos;
  }

  /** A request intended at {@code intendedNanos} is about to be sent. */
  public Exchange begin(long intendedNanos) {
    boolean measured = measured(intendedNanos);
    if (measured) {
      attempted.incrementAndGet();
    }
    return new Exchange(intendedNanos, measured);
  }

  /** The response of {@code x} arrived completely now (call from the response's own thread). */
  public void responded(Exchange x, int status) {
    x.endNanos = System.nanoTime();
    x.status = status;
  }

  /** The workload's request timeout in nanoseconds. */
  public long timeoutNanos() {
    return timeoutNanos;
  }

  /**
   * One SSE event of {@code x}'s stream arrived now ({@code message}: Gatling's JSON rendering of
   * the event, with its {@code data}): content events are timed (TTFT, ITL), {@code usage} gives
   * the output tokens, {@code [DONE]} or {@code message_stop} ends the stream.
   *
   * @return whether the stream ended with this event
   */
  public boolean streamEvent(Exchange x, String message) {
    long now = System.nanoTime();
    // Gatling renders an event as {"event":"...","id":"...","data":<data as sent>}, the data
    // verbatim (a JSON object, or text such as [DONE]), so it is cut out rather than parsed.
    String data = message.trim();
    String event = "";
    int at = data.indexOf(DATA_KEY);
    if (data.startsWith("{") && at > 0 && data.endsWith("}")) {
      Matcher m = EVENT.matcher(data.substring(0, at));
      if (m.find()) {
        event = m.group(1);
      }
      data = data.substring(at + DATA_KEY.length(), data.length() - 1).trim();
      if (data.startsWith("\"")) {
        try {
          data = JSON.readTree(data).asText();
        } catch (JsonProcessingException e) {
          // keep the raw text
        }
      }
    }
    StreamEvents.Info info = StreamEvents.classify(data);
    if (info.outputTokens() >= 0) {
      x.outputTokens = info.outputTokens();
    }
    if (info.content()) {
      if (x.content != null) {
        x.content.append(StreamEvents.text(data));
      }
      if (x.contentEvents == 0) {
        x.firstContent = now;
      } else if (x.measured) {
        recorders.record(HlogTags.ITL, (now - x.lastContent) / 1000);
      }
      x.lastContent = now;
      x.contentEvents++;
    }
    if ("[DONE]".equals(data) || "message_stop".equals(event)) {
      x.streamDone = true;
      responded(x, 200);
      if (x.measured && x.contentEvents > 0) {
        long ttft = x.firstContent - x.intendedNanos;
        recorders.record(HlogTags.TTFT, ttft / 1000);
        long tokens = x.outputTokens >= 0 ? x.outputTokens : x.contentEvents;
        if (tokens > 1) {
          recorders.record(HlogTags.TPOT, (now - x.intendedNanos - ttft) / 1000 / (tokens - 1));
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The request of {@code x} is over: records it as ok (2xx), as {@code status_<code>}, or, when no
   * response arrived, as {@code timeout} (after the workload's timeout) or {@code connect}.
   */
  public void finished(Exchange x) {
    if (!x.measured || x.finished) {
      return;
    }
    x.finished = true;
    completed.incrementAndGet();
    long end = x.endNanos != 0 ? x.endNanos : System.nanoTime();
    long micros = (end - x.intendedNanos) / 1000;
    String kind;
    if (x.endNanos == 0) {
      kind = end - x.intendedNanos >= timeoutNanos ? ErrorKinds.TIMEOUT : ErrorKinds.CONNECT;
    } else if (x.status >= 200 && x.status < 300) {
      kind = null;
    } else {
      kind = ErrorKinds.status(x.status);
    }
    if (kind == null) {
      ok.incrementAndGet();
      recorders.record(HlogTags.LATENCY, micros);
    } else {
      errors.incrementAndGet();
      errorsByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
      recorders.record(HlogTags.ERROR, micros);
    }
  }

  private synchronized void startLog() {
    if (logStarted) {
      return;
    }
    logStarted = true;
    recorders.start(
        measureStartWall,
        "Kuma-API-Forge gatling engine: target="
            + target
            + " trial="
            + trial
            + "; latency = scheduled user start (or end of think time) -> last byte");
    reporter.scheduleAtFixedRate(this::writeInterval, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
  }

  private synchronized void writeInterval() {
    recorders.writeInterval();
  }

  /**
   * Ends the run: writes the last interval and {@code result.json}. The run is valid when Gatling
   * finished and every measured request completed.
   */
  public LoadResult finish() {
    reporter.shutdownNow();
    try {
      reporter.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (!logStarted) {
        if (measureStartWall == null) {
          measureStartWall = Instant.now();
        }
        logStarted = true;
        recorders.start(measureStartWall, "Kuma-API-Forge gatling engine: no measured requests");
      }
      recorders.writeInterval();
      recorders.close();
    }
    Map<String, Long> kinds = new java.util.TreeMap<>();
    errorsByKind.forEach((k, v) -> kinds.put(k, v.get()));
    double seconds = measuredNanos / 1e9;
    long done = completed.get();
    String invalid = null;
    if (attempted.get() == 0) {
      invalid = "no measured request was sent";
    } else if (done < attempted.get()) {
      invalid = (attempted.get() - done) + " measured requests never finished";
    }
    LoadResult result =
        new LoadResult(
            target,
            trial,
            measureStartWall == null ? Instant.now() : measureStartWall,
            seconds,
            intendedRps,
            attempted.get(),
            done,
            ok.get(),
            errors.get(),
            kinds,
            seconds > 0 ? done / seconds : 0,
            new LoadResult.Lag(0, 0, 0, 0),
            null,
            0,
            null,
            invalid == null,
            invalid);
    AtomicFiles.writeString(trialDir.resolve(OpenLoopEngine.RESULT_FILE), result.toJson());
    return result;
  }

  /** One request of a virtual user; Gatling hands it from the request to the next action. */
  public static final class Exchange {
    final long intendedNanos;
    final boolean measured;
    volatile long endNanos;
    volatile int status;
    volatile boolean streamDone;
    long firstContent;
    long lastContent;
    long contentEvents;
    long outputTokens = -1;
    boolean finished;
    StringBuilder content;

    /** Keeps the stream's generated text (for a conversation's next turn); returns this. */
    public Exchange collectContent() {
      content = new StringBuilder();
      return this;
    }

    /** The generated text of the stream so far ({@link #collectContent()}), else empty. */
    public String content() {
      return content == null ? "" : content.toString();
    }

    /** Whether the stream of this exchange has ended. */
    public boolean streamDone() {
      return streamDone;
    }

    Exchange(long intendedNanos, boolean measured) {
      this.intendedNanos = intendedNanos;
      this.measured = measured;
    }
  }
}
