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
  private final LongSupplier jitMillis;
  private final Writer out;
  private final ScheduledExecutorService timer;
  private final long startNanos = System.nanoTime();
  private volatile long last = -1;
  private volatile long maxRssKib = -1;

  private ProcessSampler(long pid, LongSupplier cpuMillis, LongSupplier jitMillis, Path csv)
      throws IOException {
    this.pid = pid;
    this.cpuMillis = cpuMillis;
    this.jitMillis = jitMillis;
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

  /**
   * Starts sampling the CPU and RSS of the single process {@code pid} into {@code csv}; its
   * snapshots also carry the CPU of its JIT compiler threads when it is a HotSpot JVM.
   */
  public static ProcessSampler start(long pid, Path csv) {
    return start(
        pid,
        () -> {
          long[] cpu = readCpuMillis(pid);
          return cpu == null ? -1 : cpu[0] + cpu[1];
        },
        () -> readCompilerCpuMillis(pid),
        csv);
  }

  /**
   * Starts sampling into {@code csv}: CPU from {@code cpuMillis} (-1 when unavailable), RSS from
   * {@code pid}; no JIT figures.
   */
  public static ProcessSampler start(long pid, LongSupplier cpuMillis, Path csv) {
    return start(pid, cpuMillis, () -> -1, csv);
  }

  private static ProcessSampler start(
      long pid, LongSupplier cpuMillis, LongSupplier jitMillis, Path csv) {
    try {
      ProcessSampler s = new ProcessSampler(pid, cpuMillis, jitMillis, csv);
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

  /**
   * A reading of the process's cumulative CPU time at a moment.
   *
   * @param nanoTime when it was read ({@link System#nanoTime()})
   * @param cpuMillis the process's CPU time since it started
   * @param jitMillis the CPU time of its live JIT compiler threads, -1 when it has none (not a
   *     HotSpot JVM, or no {@code /proc})
   */
  public record Snapshot(long nanoTime, long cpuMillis, long jitMillis) {
    /** Average cores used between {@code earlier} and this snapshot. */
    public double coresSince(Snapshot earlier) {
      long nanos = nanoTime - earlier.nanoTime;
      return nanos <= 0 ? 0 : (cpuMillis - earlier.cpuMillis) * 1e6 / nanos;
    }

    /**
     * Average cores the JIT compiler threads used between {@code earlier} and this snapshot, or -1
     * when either reading has none.
     */
    public double jitCoresSince(Snapshot earlier) {
      long nanos = nanoTime - earlier.nanoTime;
      if (jitMillis < 0 || earlier.jitMillis < 0 || nanos <= 0) {
        return -1;
      }
      return Math.max(0, jitMillis - earlier.jitMillis) * 1e6 / nanos;
    }
  }

  /** Reads the process's CPU time now (also recorded as a CSV row); null when unavailable. */
  public synchronized Snapshot snapshot() {
    sample();
    return last < 0 ? null : new Snapshot(System.nanoTime(), last, jitMillis.getAsLong());
  }

  /** The largest resident set seen so far, in KiB (-1 when unknown). */
  public long maxRssKib() {
    return maxRssKib;
  }

  /** {@code [user ms, system ms]} since process start, or null when unavailable. */
  static long[] readCpuMillis(long pid) {
    try {
      return statCpuMillis(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code [user ms, system ms]} of a {@code /proc/<pid>/stat} or {@code
   * /proc/<pid>/task/<tid>/stat} line (fields 14 and 15, counted after the command name, which may
   * hold spaces).
   */
  private static long[] statCpuMillis(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {
      Long.parseLong(f[11]) * 1000 / CLOCK_TICKS_PER_SECOND,
      Long.parseLong(f[12]) * 1000 / CLOCK_TICKS_PER_SECOND
    };
  }

  /**
   * The CPU time (user + system, ms) of the live JIT compiler threads of {@code pid} (HotSpot names
   * them {@code C1 CompilerThread<n>} and {@code C2 CompilerThread<n>}, cut to 15 characters in
   * {@code /proc}), or -1 when it has none or {@code /proc} cannot be read. A compiler thread that
   * exited took its CPU time with it; on 2 cores HotSpot keeps one C1 and one C2 thread for the
   * life of the JVM.
   */
  public static long readCompilerCpuMillis(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    long total = 0;
    boolean any = false;
    try (java.util.stream.Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String comm = stat.substring(open + 1, close);
        if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
          continue;
        }
        long[] cpu = statCpuMillis(stat);
        total += cpu[0] + cpu[1];
        any = true;
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return any ? total : -1;
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
