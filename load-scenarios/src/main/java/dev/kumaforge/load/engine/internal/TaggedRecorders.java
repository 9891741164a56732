package dev.kumaforge.load.engine.internal;

import dev.kumaforge.common.hdr.HlogTags;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * One HdrHistogram {@link Recorder} per tag, written interval by interval to a tagged {@code .hlog}
 * (values in microseconds) and summed into totals.
 *
 * <p>Values are recorded by one thread (the event loop); {@link #start} and {@link #writeInterval}
 * run on another thread, which is what {@link Recorder} is made for.
 */
public final class TaggedRecorders implements AutoCloseable {
  private final Map<String, Recorder> recorders = new LinkedHashMap<>();
  private final Map<String, Histogram> recycled = new LinkedHashMap<>();
  private final Map<String, Histogram> totals = new LinkedHashMap<>();
  private final Path file;
  private HistogramLogWriter writer;
  private long startMillis;

  /** Recorders for {@code tags}, logging to {@code file} once {@link #start} is called. */
  public TaggedRecorders(Path file, List<String> tags) {
    this.file = file;
    for (String tag : tags) {
      recorders.put(
          tag, new Recorder(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS));
      totals.put(
          tag, new Histogram(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS));
    }
  }

  /** Records {@code micros} under {@code tag}, clamped to the trackable range. */
  public void record(String tag, long micros) {
    recorders.get(tag).recordValue(clamp(micros));
  }

  static long clamp(long micros) {
    return Math.max(0, Math.min(micros, HlogTags.HIGHEST_TRACKABLE_MICROS));
  }

  /**
   * Starts the log at {@code start} (the measurement start) and writes the header. Callers record
   * only measured values, so nothing recorded before is discarded.
   */
  public void start(Instant start, String comment) {
    startMillis = start.toEpochMilli();
    try {
      writer = new HistogramLogWriter(file.toFile());
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    writer.outputComment(comment);
    writer.outputComment("values in microseconds; tags: " + String.join(", ", recorders.keySet()));
    writer.outputLogFormatVersion();
    writer.outputStartTime(start.toEpochMilli());
    writer.setBaseTime(start.toEpochMilli());
    writer.outputLegend();
  }

  /** Writes one interval per tag (empty intervals included) and adds it to the totals. */
  public void writeInterval() {
    if (writer == null) {
      return;
    }
    for (Map.Entry<String, Recorder> e : recorders.entrySet()) {
      Histogram h = e.getValue().getIntervalHistogram(recycled.get(e.getKey()));
      h.setTag(e.getKey());
      h.setStartTimeStamp(Math.max(h.getStartTimeStamp(), startMillis));
      h.setEndTimeStamp(Math.max(h.getEndTimeStamp(), h.getStartTimeStamp()));
      writer.outputIntervalHistogram(h);
      totals.get(e.getKey()).add(h);
      recycled.put(e.getKey(), h);
    }
  }

  /** The sum of every written interval of {@code tag}. */
  public Histogram total(String tag) {
    return totals.get(tag);
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }
}
