package dev.kumaforge.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's shipped files from a test running in the harness module. */
final class QuickstartFiles {
  private QuickstartFiles() {}

  /** The repository root (the parent of the harness module). */
  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("load-scenarios/quickstart.yaml"))) {
        return p;
      }
    }
    throw new IllegalStateException("repository root not found above " + here);
  }

  static Path quickstart() {
    return root().resolve("load-scenarios/quickstart.yaml");
  }
}
