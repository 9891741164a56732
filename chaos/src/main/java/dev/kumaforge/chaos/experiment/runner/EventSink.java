package dev.kumaforge.chaos.experiment.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Receives the events of a run. */
public interface EventSink extends AutoCloseable {
  /** Records one event. */
  void accept(Event event);

  @Override
  default void close() {}

  /** Writes one JSON object per line to {@code file} (created or truncated), flushed per event. */
  static EventSink jsonl(Path file) {
    ObjectMapper json = new ObjectMapper();
    BufferedWriter w;
    try {
      w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return new EventSink() {
      @Override
      public synchronized void accept(Event e) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("t_ms", e.tMillis());
        line.put("kind", e.kind());
        line.put("name", e.name());
        line.putAll(e.data());
        try {
          w.write(json.writeValueAsString(line));
          w.write('\n');
          w.flush();
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot write " + file, ex);
        }
      }

      @Override
      public synchronized void close() {
        try {
          w.close();
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot close " + file, ex);
        }
      }
    };
  }
}
