package dev.kumaforge.harness.chaos;

import dev.kumaforge.harness.process.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real {@code redis-server} on a loopback port, without persistence, that an experiment stops
 * ({@code redis-stop}) and starts again on the same port.
 */
public final class RedisServer implements Killable, AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

  private final String binary;
  private final int port;
  private final Path log;
  private final BooleanSupplier shuttingDown;
  private volatile ManagedProcess process;

  private RedisServer(String binary, int port, Path log, BooleanSupplier shuttingDown) {
    this.binary = binary;
    this.port = port;
    this.log = log;
    this.shuttingDown = shuttingDown;
  }

  /** Starts {@code binary} (e.g. {@code redis-server}) on a free loopback port. */
  public static RedisServer start(String binary, Path log, BooleanSupplier shuttingDown)
      throws InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("no free port for redis-server", e);
    }
    RedisServer r = new RedisServer(binary, port, log, shuttingDown);
    r.start();
    return r;
  }

  @Override
  public String name() {
    return "redis";
  }

  /** The port redis listens on. */
  public int port() {
    return port;
  }

  @Override
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  @Override
  public synchronized void start() throws InterruptedException {
    if (shuttingDown.getAsBoolean()) {
      throw new IllegalStateException("redis not started: forge is shutting down");
    }
    if (isAlive()) {
      throw new IllegalStateException("redis is already running on port " + port);
    }
    ManagedProcess p =
        ManagedProcess.start(
            "redis",
            List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"),
            log,
            null);
    process = p;
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!"+PONG".equals(ping())) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.close();
        throw new IllegalStateException(
            "redis-server did not answer PING on port " + port + "\n" + p.tail(20));
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The first line of redis' answer to PING, or null when it does not answer. */
  public String ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\r') {
        line.append((char) c);
      }
      return line.toString();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public synchronized void kill(boolean force) throws InterruptedException {
    ManagedProcess p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis is not running");
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
        throw new IllegalStateException("redis (pid " + p.pid() + ") did not exit: " + e, e);
      }
    }
    p.close();
  }

  @Override
  public synchronized void close() {
    ManagedProcess p = process;
    if (p != null) {
      p.close();
    }
  }
}
