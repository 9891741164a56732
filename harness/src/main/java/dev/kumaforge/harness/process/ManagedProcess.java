package dev.kumaforge.harness.process;

import dev.kumaforge.common.files.ReadyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child process started by the harness: its output goes to a log file, it reports readiness
 * through a ready file, and it is always stopped, also when the harness is interrupted (Ctrl-C).
 *
 * <pre>{@code
 * try (ManagedProcess p = ManagedProcess.startForge("gateway", log, ready, "gateway", "--config", f)) {
 *   Map<String, String> urls = p.awaitReady(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class ManagedProcess implements AutoCloseable {
  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (ManagedProcess p : List.copyOf(LIVE)) {
                    p.close();
                  }
                },
                "forge-child-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final Path readyFile;

  private ManagedProcess(String name, Process process, Path log, Path readyFile) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.readyFile = readyFile;
  }

  /**
   * Starts {@code forge <args>} in a new JVM with the same class path as this one.
   *
   * @param jvmOptions options for the child JVM, e.g. {@code -Xmx512m}
   */
  public static ManagedProcess startForge(
      String name, Path log, Path readyFile, List<String> jvmOptions, List<String> args) {
    return start(name, forgeCommand(jvmOptions, args), log, readyFile);
  }

  /** The command line of {@code forge <args>} in a new JVM with this one's class path. */
  public static List<String> forgeCommand(List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.kumaforge.harness.Forge");
    command.addAll(args);
    return command;
  }

  /** Starts an arbitrary command whose readiness is signalled by {@code readyFile}. */
  public static ManagedProcess start(String name, List<String> command, Path log, Path readyFile) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      if (readyFile != null) {
        Files.deleteIfExists(readyFile);
      }
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE);
      Process process = pb.start();
      ManagedProcess p = new ManagedProcess(name, process, log, readyFile);
      LIVE.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  /** The java launcher of the running JVM. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Waits for the ready file and returns the listeners it names.
   *
   * @throws IllegalStateException with the end of the process log when it dies or times out
   */
  public Map<String, String> awaitReady(Duration timeout) throws InterruptedException {
    try {
      return ReadyFile.await(readyFile, timeout, process::isAlive);
    } catch (TimeoutException | IllegalStateException e) {
      close();
      throw new IllegalStateException(
          name + " did not become ready: " + e.getMessage() + "\n" + tail(20), e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The last {@code lines} lines of the process log, for error messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      return "--- last lines of " + log + " ---\n" + String.join("\n", last);
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  /** Asks the process to stop (SIGTERM), waits up to 10 s, then kills it (SIGKILL). */
  @Override
  public void close() {
    LIVE.remove(this);
    if (!process.isAlive()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
