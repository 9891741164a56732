package dev.kumaforge.load.engine;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.load.engine.internal.ArrivalSchedule;
import dev.kumaforge.load.engine.internal.ArrivalSchedule.Segment;
import dev.kumaforge.load.engine.internal.BusyPollStrategy;
import dev.kumaforge.load.engine.internal.ClientTls;
import dev.kumaforge.load.engine.internal.OpenLoopDriver;
import dev.kumaforge.load.engine.internal.RequestMix;
import dev.kumaforge.load.engine.internal.TaggedRecorders;
import dev.kumaforge.load.engine.internal.Transport;
import dev.kumaforge.load.engine.internal.Validity;
import dev.kumaforge.load.scenario.Engine;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Workload;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The open-loop precision load engine: sends each request at its intended time whatever the target
 * does, and times it from that intended time (no coordinated omission). With {@code
 * workload.concurrency} set it runs closed-loop instead (users waiting for each response; latency
 * from the actual send, which hides queueing: use it only to compare with closed-loop tools).
 *
 * <p>One Netty event loop thread runs the schedule, the connection pool and the response parsing;
 * one reporting thread writes the {@code .hlog} interval by interval and calls the progress
 * listener every second. {@link #run} blocks until the trial is over.
 */
public final class OpenLoopEngine {
  /** Name of the per-trial result file. */
  public static final String RESULT_FILE = "result.json";

  private static final long TICK_NANOS = 1_000_000_000L;
  private static final long START_DELAY_NANOS = 50_000_000L;

  /** An engine; it holds no state between runs. */
  public OpenLoopEngine() {}

  /**
   * Runs the scenario's workload against {@code targetBaseUrl}; writes {@code
   * trialDir/latency.hlog} and {@code trialDir/result.json}.
   *
   * @param scenario a loaded scenario whose engine is {@code open-loop}
   * @param targetBaseUrl {@code http://host:port[/prefix]} of the target
   * @param trialDir the trial folder, created if needed
   * @param targetName the target's name, written into the result
   * @param trial the trial number (1-based); mixed into the arrival seed
   * @param progress called every second
   */
  public LoadResult run(
      Scenario scenario,
      URI targetBaseUrl,
      Path trialDir,
      String targetName,
      int trial,
      ProgressListener progress) {
    return run(
        scenario.workload(),
        scenario.seed(),
        targetBaseUrl,
        ClientOptions.DEFAULT,
        trialDir,
        targetName,
        trial,
        progress);
  }

  /**
   * Like {@link #run(Scenario, URI, Path, String, int, ProgressListener)} with the target's TLS and
   * connection options.
   */
  public LoadResult run(
      Scenario scenario,
      URI targetBaseUrl,
      ClientOptions client,
      Path trialDir,
      String targetName,
      int trial,
      ProgressListener progress) {
    return run(
        scenario.workload(),
        scenario.seed(),
        targetBaseUrl,
        client,
        trialDir,
        targetName,
        trial,
        progress);
  }

  /** Like {@link #run(Scenario, URI, Path, String, int, ProgressListener)} for a bare workload. */
  public LoadResult run(
      Workload workload,
      long seed,
      URI targetBaseUrl,
      Path trialDir,
      String targetName,
      int trial,
      ProgressListener progress) {
    return run(
        workload,
        seed,
        targetBaseUrl,
        ClientOptions.DEFAULT,
        trialDir,
        targetName,
        trial,
        progress);
  }

  /**
   * Runs a bare workload against {@code targetBaseUrl} ({@code http://} or {@code https://}) with
   * {@code client}'s TLS and connection options.
   */
  public LoadResult run(
      Workload workload,
      long seed,
      URI targetBaseUrl,
      ClientOptions client,
      Path trialDir,
      String targetName,
      int trial,
      ProgressListener progress) {
    if (workload.engine() != Engine.OPEN_LOOP) {
      throw new IllegalArgumentException(
          "workload.engine is " + workload.engine() + "; the open-loop engine runs only open-loop");
    }
    InetSocketAddress address = resolve(targetBaseUrl);
    boolean https = "https".equals(targetBaseUrl.getScheme());
    if (!https && client.tls() != null) {
      throw new IllegalArgumentException(
          "target "
              + targetName
              + ": tls is set but its URL "
              + targetBaseUrl
              + " is not https://");
    }
    ClientTls tls =
        https
            ? new ClientTls(
                client.tls(),
                targetBaseUrl.getHost(),
                address.getPort(),
                client.connectionPerRequest())
            : null;
    try {
      Files.createDirectories(trialDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + trialDir, e);
    }
    long scheduleSeed = seed * 0x9E3779B97F4A7C15L + trial;
    boolean closedLoop = workload.closedLoop();
    ArrivalSchedule schedule =
        closedLoop
            ? ArrivalSchedule.timesOnly(workload)
            : new ArrivalSchedule(workload, scheduleSeed);
    long plannedSends = closedLoop ? -1 : ArrivalSchedule.countMeasured(workload, scheduleSeed);
    List<Segment> segments = schedule.segments();
    long measureStart = schedule.measureStartNanos();
    long end = schedule.endNanos();
    RequestMix mix =
        new RequestMix(
            workload.requestMix(),
            targetBaseUrl,
            scheduleSeed ^ 0x5DEECE66DL,
            client.connectionPerRequest());
    TaggedRecorders recorders =
        new TaggedRecorders(
            trialDir.resolve(HlogTags.LATENCY_LOG),
            List.of(
                HlogTags.LATENCY,
                HlogTags.ERROR,
                HlogTags.LAG,
                HlogTags.TTFT,
                HlogTags.ITL,
                HlogTags.TPOT));
    Recorder progressLatency =
        new Recorder(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS);

    BusyPollStrategy busyPoll = new BusyPollStrategy(() -> false);
    EventLoopGroup group = Transport.group(1, "forge-load", busyPoll.factory());
    ScheduledThreadPoolExecutor reporter =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "forge-load-report");
              t.setDaemon(true);
              return t;
            });
    reporter.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    boolean finished;
    OpenLoopDriver driver;
    Instant measureStartWall;
    try {
      EventLoop loop = group.next();
      Bootstrap bootstrap =
          new Bootstrap()
              .group(loop)
              .channel(Transport.channelClass())
              .option(ChannelOption.TCP_NODELAY, true)
              .option(
                  ChannelOption.CONNECT_TIMEOUT_MILLIS,
                  (int) Math.min(Integer.MAX_VALUE, workload.timeout().toMillis()));
      driver =
          new OpenLoopDriver(
              loop,
              bootstrap,
              address,
              schedule,
              recorders,
              progressLatency,
              mix,
              workload.timeout().toNanos(),
              workload.maxConnections(),
              tls,
              client.connectionPerRequest());
      driver.busyPoll(workload.busyPoll());
      busyPoll.pollWhile(driver::wantsBusyPoll);
      int initial =
          closedLoop
              ? workload.concurrency()
              : (int) Math.ceil(workload.phases().get(0).startRate().perSecond() / 100.0);
      await(
          driver.preconnect(client.connectionPerRequest() ? 0 : Math.max(1, initial)),
          System.nanoTime() + workload.timeout().toNanos());
      long t0 = System.nanoTime() + START_DELAY_NANOS;
      long wallAtT0 = System.currentTimeMillis() + START_DELAY_NANOS / 1_000_000;
      measureStartWall = Instant.ofEpochMilli(wallAtT0 + measureStart / 1_000_000);
      String comment =
          String.format(
              Locale.ROOT,
              "Kuma-API-Forge %s engine: target=%s trial=%d intended=%s requests over %.3f s;"
                  + " latency = %s send -> last byte",
              closedLoop ? "closed-loop (concurrency " + workload.concurrency() + ")" : "open-loop",
              targetName,
              trial,
              closedLoop ? "(closed-loop)" : Long.toString(plannedSends),
              (end - measureStart) / 1e9,
              closedLoop ? "actual" : "intended");
      Reporter rep =
          new Reporter(
              reporter,
              driver,
              recorders,
              progressLatency,
              progress,
              segments,
              targetName,
              trial,
              t0,
              measureStart,
              end,
              measureStartWall,
              comment);
      if (closedLoop) {
        driver.startClosedLoop(
            t0, workload.concurrency(), workload.thinkTime().toNanos(), measureStart, end);
      } else {
        driver.start(t0);
      }
      rep.scheduleNext(0);
      long deadlineNanos = t0 + end + workload.timeout().toNanos() + 10 * TICK_NANOS;
      finished = await(driver.done(), deadlineNanos);
      if (!finished) {
        driver.abort();
        await(driver.done(), System.nanoTime() + 5 * TICK_NANOS);
      }
      runOn(reporter, rep::finish);
    } finally {
      reporter.shutdownNow();
      recorders.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    OpenLoopDriver.Counts c = driver.counts();
    long intended = closedLoop ? c.attempted() : plannedSends;
    Histogram lag = recorders.total(HlogTags.LAG);
    LoadResult.Lag lagSummary =
        lag.getTotalCount() == 0
            ? new LoadResult.Lag(0, 0, 0, 0)
            : new LoadResult.Lag(
                lag.getValueAtPercentile(50),
                lag.getValueAtPercentile(99),
                lag.getValueAtPercentile(99.9),
                lag.getMaxValue());
    Optional<String> invalid =
        Validity.invalidReason(
            finished,
            intended,
            c.attempted(),
            c.unsent(),
            workload.maxConnections(),
            lagSummary.p99(),
            workload.maxLag().toNanos() / 1000);
    double seconds = (end - measureStart) / 1e9;
    LoadResult result =
        new LoadResult(
            targetName,
            trial,
            measureStartWall,
            seconds,
            seconds > 0 ? intended / seconds : 0,
            c.attempted(),
            c.completed(),
            c.ok(),
            c.errors(),
            c.errorsByKind(),
            seconds > 0 ? c.completed() / seconds : 0,
            lagSummary,
            c.spinWindow(),
            c.maxConnectionsUsed(),
            c.connections(),
            invalid.isEmpty(),
            invalid.orElse(null));
    AtomicFiles.writeString(trialDir.resolve(RESULT_FILE), result.toJson());
    return result;
  }

  private static boolean await(CompletableFuture<Void> future, long deadlineNanos) {
    long wait = Math.max(1, deadlineNanos - System.nanoTime());
    try {
      future.get(wait, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("load run failed", e.getCause());
    }
  }

  private static void runOn(ScheduledThreadPoolExecutor executor, Runnable task) {
    try {
      executor.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static InetSocketAddress resolve(URI base) {
    boolean http = "http".equals(base.getScheme());
    if (!(http || "https".equals(base.getScheme())) || base.getHost() == null) {
      throw new IllegalArgumentException(
          "target URL " + base + " (expected: http[s]://host:port[/prefix])");
    }
    try {
      int port = base.getPort() > 0 ? base.getPort() : http ? 80 : 443;
      return new InetSocketAddress(InetAddress.getByName(base.getHost()), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("target URL " + base + ": unknown host", e);
    }
  }

  /** Runs on the reporting thread: writes intervals and reports progress once per second. */
  private static final class Reporter {
    private final ScheduledThreadPoolExecutor executor;
    private final OpenLoopDriver driver;
    private final TaggedRecorders recorders;
    private final Recorder progressLatency;
    private final ProgressListener listener;
    private final List<Segment> segments;
    private final String target;
    private final int trial;
    private final long t0;
    private final long measureStart;
    private final long end;
    private final Instant measureStartWall;
    private final String comment;
    private boolean started;
    private long lastTick;
    private long lastDispatched;
    private org.HdrHistogram.Histogram recycled;

    Reporter(
        ScheduledThreadPoolExecutor executor,
        OpenLoopDriver driver,
        TaggedRecorders recorders,
        Recorder progressLatency,
        ProgressListener listener,
        List<Segment> segments,
        String target,
        int trial,
        long t0,
        long measureStart,
        long end,
        Instant measureStartWall,
        String comment) {
      this.executor = executor;
      this.driver = driver;
      this.recorders = recorders;
      this.progressLatency = progressLatency;
      this.listener = listener;
      this.segments = segments;
      this.target = target;
      this.trial = trial;
      this.t0 = t0;
      this.measureStart = measureStart;
      this.end = end;
      this.measureStartWall = measureStartWall;
      this.comment = comment;
      this.lastTick = t0;
    }

    /** Schedules the tick at offset {@code offset} from t0. */
    void scheduleNext(long offset) {
      long delay = t0 + offset - System.nanoTime();
      executor.schedule(() -> tick(offset), Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    private void tick(long offset) {
      if (!started && offset >= measureStart) {
        startLog();
      } else if (started) {
        recorders.writeInterval();
      }
      report(offset);
      long next = offset + TICK_NANOS;
      if (!started && next > measureStart) {
        next = measureStart;
      }
      scheduleNext(next);
    }

    private void startLog() {
      recorders.start(measureStartWall, comment);
      started = true;
    }

    void finish() {
      if (!started) {
        startLog();
      }
      recorders.writeInterval();
      report(System.nanoTime() - t0);
    }

    private void report(long offset) {
      long now = System.nanoTime();
      long dispatched = driver.dispatchedSoFar();
      double seconds = (now - lastTick) / 1e9;
      // At the very first tick the window is a few microseconds long: no meaningful rate yet.
      double rps = seconds >= 0.1 ? (dispatched - lastDispatched) / seconds : 0;
      lastTick = now;
      lastDispatched = dispatched;
      recycled = progressLatency.getIntervalHistogram(recycled);
      long p99 = recycled.getTotalCount() == 0 ? 0 : recycled.getValueAtPercentile(99);
      String phase = "drain";
      for (Segment s : segments) {
        if (offset >= s.startNanos() && offset < s.endNanos()) {
          phase = s.name();
          break;
        }
      }
      try {
        listener.onProgress(
            new Progress(
                target,
                trial,
                phase,
                Duration.ofNanos(Math.max(0, Math.min(offset, end))),
                Duration.ofNanos(end),
                rps,
                p99,
                driver.errorsSoFar()));
      } catch (RuntimeException e) {
        // A failing listener must not stop the measurement; progress is informational only.
        System.err.println("progress listener failed: " + e);
      }
    }
  }
}
