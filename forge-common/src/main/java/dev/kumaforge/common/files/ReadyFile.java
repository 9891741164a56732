package dev.kumaforge.common.files;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The ready file a server writes once it listens: {@code {"<listener name>": "<url>"}}, written
 * atomically so a reader sees all of it or nothing.
 */
public final class ReadyFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReadyFile() {}

  /** Writes the listener map to {@code file} atomically. */
  public static void write(Path file, Map<String, String> listeners) {
    try {
      AtomicFiles.write(
          file,
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new LinkedHashMap<>(listeners)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a complete ready file. */
  public static Map<String, String> read(Path file) {
    try {
      return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ready file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until {@code file} exists and returns its content.
   *
   * @param alive checked while waiting; when it turns false (the process died) waiting stops
   * @throws TimeoutException when the file does not appear within {@code timeout}
   * @throws IllegalStateException when {@code alive} turns false first
   */
  public static Map<String, String> await(Path file, Duration timeout, BooleanSupplier alive)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return read(file);
      }
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("process exited before writing " + file);
      }
      Thread.sleep(20);
    }
    throw new TimeoutException("no ready file " + file + " after " + timeout.toMillis() + " ms");
  }
}
