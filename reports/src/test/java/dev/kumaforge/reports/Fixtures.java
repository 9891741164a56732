package dev.kumaforge.reports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Copies checked-in run-folder fixtures into a test's temporary folder. */
final class Fixtures {
  private Fixtures() {}

  /**
   * Copies {@code src/test/resources/run-fixtures/<name>} to {@code into/<name>} and returns it.
   */
  static Path copyRun(String name, Path into) {
    try {
      Path src = Path.of(Fixtures.class.getResource("/run-fixtures/" + name).toURI());
      Path dst = into.resolve(name);
      try (Stream<Path> all = Files.walk(src)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          Path target = dst.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return dst;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Adds to the golden run {@code run} an "nginx" target whose trials are the reference's
   * histograms with half its CPU per request (250 and 300 µs become 125 and 150), so every
   * reference/nginx ratio is known exactly.
   */
  static Path addNginxPeer(Path run) throws IOException {
    Path ref = run.resolve("targets/reference");
    Path nginx = run.resolve("targets/nginx");
    try (Stream<Path> files = Files.walk(ref)) {
      for (Path f : files.toList()) {
        Path to = nginx.resolve(ref.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          String text = Files.readString(f);
          text = text.replace("\"cpu_us_per_request\":250.0", "\"cpu_us_per_request\":125.0");
          text = text.replace("\"cpu_us_per_request\":300.0", "\"cpu_us_per_request\":150.0");
          Files.writeString(to, text);
        }
      }
    }
    Path manifest = run.resolve("manifest.json");
    Files.writeString(
        manifest,
        Files.readString(manifest)
            .replace(
                "{\"name\":\"reference\",\"type\":\"reference\"}]",
                "{\"name\":\"reference\",\"type\":\"reference\"},"
                    + "{\"name\":\"nginx\",\"type\":\"nginx\"}]"));
    return run;
  }
}
