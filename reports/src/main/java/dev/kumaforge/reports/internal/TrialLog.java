package dev.kumaforge.reports.internal;

import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.reports.ReportException;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.IntCountsHistogram;

/**
 * One trial's tagged interval {@code .hlog}: the exact total per tag, and per-second buckets
 * (seconds since the log's start time) for the time series.
 */
public final class TrialLog {
  private final Map<String, Histogram> totals = new LinkedHashMap<>();
  private final TreeMap<Long, Second> seconds = new TreeMap<>();
  private long firstStartMs = Long.MAX_VALUE;
  private long lastEndMs = Long.MIN_VALUE;

  /** The counts and latency histogram of one second of one or more logs. */
  public static final class Second {
    /** Successful requests' latency in this second (auto-resizing, compact). */
    public final IntCountsHistogram latency = new IntCountsHistogram(HlogTags.SIGNIFICANT_DIGITS);

    /** Failed requests in this second. */
    public long errors;

    /** Adds another second's data to this one. */
    public void add(Second other) {
      latency.add(other.latency);
      errors += other.errors;
    }
  }

  private TrialLog() {}

  /** Reads {@code file}; a missing, empty-of-header or corrupt log fails with its path. */
  public static TrialLog read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReportException("missing histogram log " + file);
    }
    TrialLog log = new TrialLog();
    HistogramLogReader reader;
    try {
      reader = new HistogramLogReader(file.toFile());
    } catch (FileNotFoundException e) {
      throw new ReportException("cannot open histogram log " + file + ": " + e.getMessage(), e);
    }
    try (reader) {
      EncodableHistogram e;
      int interval = 0;
      while ((e = nextInterval(reader, file, interval)) != null) {
        interval++;
        if (!(e instanceof Histogram h)) {
          throw new ReportException(
              "histogram log " + file + ": interval " + interval + " is not an integer histogram");
        }
        log.addInterval(h, reader.getStartTimeSec());
      }
    }
    return log;
  }

  private static EncodableHistogram nextInterval(
      HistogramLogReader reader, Path file, int readSoFar) {
    try {
      return reader.nextIntervalHistogram();
    } catch (RuntimeException e) {
      throw new ReportException(
          "corrupt histogram log "
              + file
              + " (after "
              + readSoFar
              + " intervals): "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
  }

  private void addInterval(Histogram h, double logStartSec) {
    String tag = h.getTag() == null ? "" : h.getTag();
    totals
        .computeIfAbsent(
            tag, t -> new Histogram(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS))
        .add(h);
    long start = h.getStartTimeStamp();
    long end = h.getEndTimeStamp();
    firstStartMs = Math.min(firstStartMs, start);
    lastEndMs = Math.max(lastEndMs, Math.max(end, start));
    long originMs = logStartSec > 0 ? (long) Math.floor(logStartSec * 1000) : firstStartMs;
    long second = Math.max(0, Math.floorDiv(start - originMs, 1000L));
    if (HlogTags.LATENCY.equals(tag)) {
      seconds.computeIfAbsent(second, s -> new Second()).latency.add(h);
    } else if (HlogTags.ERROR.equals(tag)) {
      seconds.computeIfAbsent(second, s -> new Second()).errors += h.getTotalCount();
    }
  }

  /** The sum of every interval with {@code tag}, or null when the log has none. */
  public Histogram total(String tag) {
    return totals.get(tag);
  }

  /** Number of values recorded under {@code tag}. */
  public long count(String tag) {
    Histogram h = totals.get(tag);
    return h == null ? 0 : h.getTotalCount();
  }

  /** Per-second buckets, keyed by seconds since the measurement start. */
  public TreeMap<Long, Second> seconds() {
    return seconds;
  }

  /** Seconds from the first interval's start to the last interval's end (0 for an empty log). */
  public double spanSeconds() {
    return firstStartMs == Long.MAX_VALUE ? 0 : (lastEndMs - firstStartMs) / 1000.0;
  }
}
