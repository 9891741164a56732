package dev.kumaforge.harness.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples a process's CPU time and resident memory from {@code /proc} every second into a CSV file
 * ({@code t_s,cpu_user_ms,cpu_system_ms,rss_kib}); the CPU columns are cumulative since process
 * start. On systems without {@code /proc} it writes only the header.
 */
public final class ProcessSampler implements AutoCloseable {
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private final long pid;
  private final LongSupplier cpuMillis;
  private final Writer out;
  private final ScheduledExecutorService timer;
  private final long startNanos = System.nanoTime();
  private volatile long last = -1;
  private volatile long maxRssKib = -1;

  private ProcessSampler(long pid, LongSupplier cpuMillis, Path csv) throws IOException {
    this.pid = pid;
    this.cpuMillis = cpuMillis;
    Files.createDirectories(csv.toAbsolutePath().getParent());
    this.out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
    out.write("t_s,cpu_ms,rss_kib\n");
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "forge-sampler-" + pid);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts sampling the CPU and RSS of the single process {@code pid} into {@code csv}. */
  public static ProcessSampler start(long pid, Path csv) {
    return start(
        pid,
        () -> {
          long[] cpu = readCpuMillis(pid);
          return cpu == null ? -1 : cpu[0] + cpu[1];
        },
        csv);
  }

  /**
   * Starts sampling into {@code csv}: CPU from {@code cpuMillis} (-1 when unavailable), RSS from
   * {@code pid}.
   */
  public static ProcessSampler start(long pid, LongSupplier cpuMillis, Path csv) {
    try {
      ProcessSampler s = new ProcessSampler(pid, cpuMillis, csv);
      s.sample();
      s.timer.scheduleAtFixedRate(s::sample, 1, 1, TimeUnit.SECONDS);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void sample() {
    long cpu = cpuMillis.getAsLong();
    if (cpu < 0) {
      return;
    }
    last = cpu;
    long rss = readRssKib(pid);
    maxRssKib = Math.max(maxRssKib, rss);
    try {
      out.write(
          String.format(
              Locale.ROOT, "%.3f,%d,%d%n", (System.nanoTime() - startNanos) / 1e9, cpu, rss));
      out.flush();
    } catch (IOException e) {
      // the sampler is best effort; the log keeps what was written
    }
  }

  /** A reading of the process's cumulative CPU time at a moment. */
  public record Snapshot(long nanoTime, long cpuMillis) {
    /** Average cores used between {@code earlier} and this snapshot. */
    public double coresSince(Snapshot earlier) {
      long nanos = nanoTime - earlier.nanoTime;
      return nanos <= 0 ? 0 : (cpuMillis - earlier.cpuMillis) * 1e6 / nanos;
    }
  }

  /** Reads the process's CPU time now (also recorded as a CSV row); null when unavailable. */
  public synchronized Snapshot snapshot() {
    sample();
    return last < 0 ? null : new Snapshot(System.nanoTime(), last);
  }

  /** The largest resident set seen so far, in KiB (-1 when unknown). */
  public long maxRssKib() {
    return maxRssKib;
  }

  /** {@code [user ms, system ms]} since process start, or null when unavailable. */
  static long[] readCpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
      String[] f = afterComm.split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      return new long[] {
        utime * 1000 / CLOCK_TICKS_PER_SECOND, stime * 1000 / CLOCK_TICKS_PER_SECOND
      };
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static long readRssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    sample();
    try {
      out.close();
    } catch (IOException e) {
      // nothing more to write
    }
  }
}
