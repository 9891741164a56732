package dev.kumaforge.reports.render.internal;

import dev.kumaforge.reports.model.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a run's events into fault windows for shading. */
public final class EventMarkers {
  private EventMarkers() {}

  /** A fault window in seconds since the measurement start. */
  public record Window(String name, double fromS, double toS) {}

  /**
   * Pairs each {@code fault_start} with the next {@code fault_end} of the same name; a window never
   * closed lasts until {@code endS} (the last second of the series).
   */
  public static List<Window> windows(List<Event> events, double endS) {
    Map<String, Double> open = new LinkedHashMap<>();
    List<Window> out = new ArrayList<>();
    for (Event e : events) {
      double t = e.tMs() / 1000.0;
      if (Event.FAULT_START.equals(e.type())) {
        open.putIfAbsent(e.name(), t);
      } else if (Event.FAULT_END.equals(e.type())) {
        Double from = open.remove(e.name());
        if (from != null) {
          out.add(new Window(e.name(), from, t));
        }
      }
    }
    open.forEach((name, from) -> out.add(new Window(name, from, Math.max(from, endS))));
    return List.copyOf(out);
  }
}
