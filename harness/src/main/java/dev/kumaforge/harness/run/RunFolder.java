package dev.kumaforge.harness.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A run folder under construction. It is built under {@code <name>.partial} and renamed to its
 * final name only when the run completed (whatever its verdict), so a folder with the final name is
 * always complete; a run that crashed is renamed {@code <name>.failed} and keeps its logs.
 */
public final class RunFolder {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path finalDir;
  private final Path workDir;

  private RunFolder(Path finalDir, Path workDir) {
    this.finalDir = finalDir;
    this.workDir = workDir;
  }

  /**
   * Creates the working folder.
   *
   * @param out the folder the user asked for with {@code --out}, or null for {@code
   *     runs/<timestamp>-<scenario>}
   */
  public static RunFolder create(Path out, String scenario, Instant startedAt) {
    Path finalDir =
        out != null
            ? out.toAbsolutePath().normalize()
            : Path.of("runs", STAMP.format(startedAt) + "-" + scenario).toAbsolutePath();
    if (Files.exists(finalDir)) {
      try (var entries = Files.list(finalDir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "the output folder " + finalDir + " exists and is not empty; choose another --out");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path work = finalDir.resolveSibling(finalDir.getFileName() + ".partial");
    try {
      if (Files.exists(work)) {
        deleteTree(work);
      }
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run folder " + work + ": " + e.getMessage(), e);
    }
    return new RunFolder(finalDir, work);
  }

  /** Where files go while the run is in progress. */
  public Path dir() {
    return workDir;
  }

  /** The folder's name once complete. */
  public Path finalDir() {
    return finalDir;
  }

  /** Renames the folder to its final name. */
  public Path complete() {
    return moveTo(finalDir);
  }

  /** Renames the folder to {@code <name>.failed}. */
  public Path fail() {
    return moveTo(finalDir.resolveSibling(finalDir.getFileName() + ".failed"));
  }

  private Path moveTo(Path target) {
    try {
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(workDir, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + workDir + " to " + target, e);
    }
  }

  /** Deletes {@code root} and everything below it; what cannot be deleted stays. */
  static void deleteQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException | UncheckedIOException e) {
      // a scratch folder left in the temp dir is harmless
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
