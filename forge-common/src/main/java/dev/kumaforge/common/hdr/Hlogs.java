package dev.kumaforge.common.hdr;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/** Reads tagged interval {@code .hlog} files. Merging is exact: histograms are added. */
public final class Hlogs {
  private Hlogs() {}

  /** Every interval of {@code file}, in order, each with its tag (null tag means untagged). */
  public static List<Histogram> intervals(Path file) {
    List<Histogram> out = new ArrayList<>();
    try {
      HistogramLogReader reader = new HistogramLogReader(file.toFile());
      EncodableHistogram h;
      while ((h = reader.nextIntervalHistogram()) != null) {
        if (h instanceof Histogram histogram) {
          out.add(histogram);
        }
      }
      reader.close();
    } catch (FileNotFoundException e) {
      throw new UncheckedIOException("no histogram log " + file, e);
    }
    return out;
  }

  /** The sum of all intervals of {@code file}, per tag. */
  public static Map<String, Histogram> totals(Path file) {
    Map<String, Histogram> totals = new LinkedHashMap<>();
    for (Histogram h : intervals(file)) {
      String tag = h.getTag() == null ? "" : h.getTag();
      totals
          .computeIfAbsent(
              tag,
              t -> new Histogram(HlogTags.HIGHEST_TRACKABLE_MICROS, HlogTags.SIGNIFICANT_DIGITS))
          .add(h);
    }
    totals.values().forEach(h -> h.setTag(null));
    return totals;
  }
}
