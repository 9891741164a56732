package dev.kumaforge.common.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesTest {
  @Test
  void atomicWriteReplacesAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("sub/report.md");
    AtomicFiles.writeString(target, "first");
    AtomicFiles.writeString(target, "second");
    assertThat(Files.readString(target)).isEqualTo("second");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-r--r--");
    try (Stream<Path> files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void readyFileRoundTrip(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("ready.json");
    ReadyFile.write(f, Map.of("public", "http://127.0.0.1:1234"));
    assertThat(ReadyFile.await(f, Duration.ofSeconds(1), () -> true))
        .containsEntry("public", "http://127.0.0.1:1234");
  }

  @Test
  void awaitStopsWhenProcessDiesOrTimesOut(@TempDir Path dir) {
    Path f = dir.resolve("never.json");
    assertThatThrownBy(() -> ReadyFile.await(f, Duration.ofSeconds(5), () -> false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited");
    assertThatThrownBy(() -> ReadyFile.await(f, Duration.ofMillis(50), () -> true))
        .isInstanceOf(TimeoutException.class);
  }
}
