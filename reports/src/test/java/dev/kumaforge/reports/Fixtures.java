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
}
