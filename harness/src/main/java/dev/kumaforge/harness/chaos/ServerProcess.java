package dev.kumaforge.harness.chaos;

import dev.kumaforge.harness.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A forge server ({@code forge backends} or {@code forge gateway}) as its own process that can be
 * killed and started again; the log is appended to across restarts.
 */
public final class ServerProcess implements Killable, AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Path log;
  private final Path readyFile;
  private final List<String> jvmOptions;
  private final BooleanSupplier shuttingDown;
  private volatile List<String> args;
  private volatile ManagedProcess process;
  private volatile Map<String, String> listeners = Map.of();

  /**
   * A server not started yet.
   *
   * @param shuttingDown true once the harness is exiting: no new process is started then
   */
  public ServerProcess(
      String name,
      Path log,
      Path readyFile,
      List<String> jvmOptions,
      List<String> args,
      BooleanSupplier shuttingDown) {
    this.name = name;
    this.log = log;
    this.readyFile = readyFile;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.args = List.copyOf(args);
    this.shuttingDown = shuttingDown;
  }

  @Override
  public String name() {
    return name;
  }

  /** The listeners of the last start, from its ready file. */
  public Map<String, String> listeners() {
    return listeners;
  }

  /** The arguments of the next start (after the first start: the same addresses again). */
  public void restartWith(List<String> newArgs) {
    this.args = List.copyOf(newArgs);
  }

  @Override
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** The current process id, or -1 before the first start. */
  public long pid() {
    ManagedProcess p = process;
    return p == null ? -1 : p.pid();
  }

  @Override
  public synchronized void start() throws InterruptedException {
    if (shuttingDown.getAsBoolean()) {
      throw new IllegalStateException(name + " not started: forge is shutting down");
    }
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + pid() + ")");
    }
    ManagedProcess p = ManagedProcess.startForge(name, log, readyFile, jvmOptions, args);
    process = p;
    listeners = Map.copyOf(p.awaitReady(READY_TIMEOUT));
  }

  @Override
  public synchronized void kill(boolean force) throws InterruptedException {
    ManagedProcess p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    ProcessHandle h = ProcessHandle.of(p.pid()).orElse(null);
    if (h != null) {
      if (force) {
        h.destroyForcibly();
      } else {
        h.destroy();
      }
      try {
        h.onExit().get(15, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(name + " (pid " + p.pid() + ") did not exit: " + e, e);
      }
    }
    p.close();
  }

  /** The end of the log, for error messages. */
  public String tail(int lines) {
    ManagedProcess p = process;
    return p == null ? "" : p.tail(lines);
  }

  @Override
  public synchronized void close() {
    ManagedProcess p = process;
    if (p != null) {
      p.close();
    }
  }
}
