package dev.kumaforge.harness.peers;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.gateway.config.GatewayConfig;
import dev.kumaforge.harness.peers.internal.Ports;
import dev.kumaforge.harness.peers.internal.ProcTree;
import dev.kumaforge.harness.peers.internal.RouteTable;
import dev.kumaforge.harness.process.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A running peer gateway (nginx, HAProxy or Envoy) serving the reference gateway's routes from a
 * generated config.
 *
 * <p>Ports: nginx and HAProxy cannot bind port 0, and nobody may pick a "free" port and let it be
 * rebound. Unless {@link PeerOptions#port()} names one, the starter draws a random port outside the
 * kernel's ephemeral range (so no port-0 socket of another process can take it), lets the peer bind
 * it, and when the peer reports the address in use it starts it again on another draw. Readiness
 * means this process tree holds the listening socket (read from {@code /proc}) and answers HTTP: a
 * request with an invalid method, which the peer answers itself (400) without touching a backend.
 *
 * <pre>{@code
 * try (PeerTarget nginx = PeerTarget.start(PeerKind.NGINX, gateway, PeerOptions.workers(2), dir, log)) {
 *   drive(nginx.baseUrl());  long cpuMs = nginx.cpuMillis();
 * }
 * }</pre>
 */
public final class PeerTarget implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int BIND_ATTEMPTS = 8;

  private final PeerKind kind;
  private final ManagedProcess process;
  private final String host;
  private final int port;
  private final Path configFile;
  private final List<String> notes;
  private final boolean tls;

  private PeerTarget(
      PeerKind kind,
      ManagedProcess process,
      String host,
      int port,
      Path configFile,
      List<String> notes,
      boolean tls) {
    this.kind = kind;
    this.tls = tls;
    this.process = process;
    this.host = host;
    this.port = port;
    this.configFile = configFile;
    this.notes = notes;
  }

  /**
   * Generates the config of {@code kind} for {@code config}, starts the peer and waits until it
   * answers.
   *
   * @param workDir folder for the generated config, pid and temp files (created)
   * @param log the peer's output and error log (appended)
   * @throws PeerSkippedException when the program is missing and peers are not required
   * @throws IllegalStateException when the program is missing and required, or the peer fails to
   *     start (with the end of its log)
   * @throws IllegalArgumentException when the gateway config cannot be reproduced
   */
  public static PeerTarget start(
      PeerKind kind, GatewayConfig config, PeerOptions options, Path workDir, Path log)
      throws InterruptedException {
    return start(kind, config, options, workDir, log, UnaryOperator.identity());
  }

  /**
   * Like {@link #start(PeerKind, GatewayConfig, PeerOptions, Path, Path)}, with the peer's command
   * line passed through {@code wrap} (for example a {@code taskset} CPU-pinning prefix).
   */
  public static PeerTarget start(
      PeerKind kind,
      GatewayConfig config,
      PeerOptions options,
      Path workDir,
      Path log,
      UnaryOperator<List<String>> wrap)
      throws InterruptedException {
    Path binary = PeerBinaries.locate(kind).require();
    List<String> notes = RouteTable.of(config, kind.binary()).notes();
    PeerOptions base = options.withFiles(workDir, log);
    try {
      Files.createDirectories(base.workDir().resolve("tmp"));
      Files.createDirectories(base.log().getParent());
      if (kind == PeerKind.HAPROXY && base.tls() != null) {
        AtomicFiles.writeString(
            HaproxyConfig.certificateBundle(base),
            Files.readString(base.tls().certificate()).strip()
                + "\n"
                + Files.readString(base.tls().privateKey()).strip()
                + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + workDir + ": " + e.getMessage(), e);
    }
    boolean fixedPort = options.port() != 0;
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= (fixedPort ? 1 : BIND_ATTEMPTS); attempt++) {
      PeerOptions opts = fixedPort ? base : base.withPort(Ports.candidate());
      Path configFile = base.workDir().resolve(kind.binary() + configSuffix(kind));
      AtomicFiles.writeString(configFile, generate(kind, config, opts));
      long logOffset = size(base.log());
      ManagedProcess p =
          ManagedProcess.start(
              kind.binary() + " :" + opts.port(),
              wrap.apply(command(kind, binary, opts, configFile)),
              base.log(),
              null);
      PeerTarget target =
          new PeerTarget(kind, p, opts.host(), opts.port(), configFile, notes, opts.tls() != null);
      try {
        if (target.awaitReady(logOffset)) {
          return target;
        }
        last = new IllegalStateException(kind + ": port " + opts.port() + " in use");
      } catch (RuntimeException | InterruptedException e) {
        target.close();
        throw e;
      }
      target.close();
    }
    throw new IllegalStateException(
        kind
            + " could not bind a port after "
            + (fixedPort ? "1 attempt" : BIND_ATTEMPTS + " attempts")
            + ": "
            + last.getMessage());
  }

  /** The config text of {@code kind} (nginx.conf, haproxy.cfg or envoy.yaml). */
  public static String generate(PeerKind kind, GatewayConfig config, PeerOptions options) {
    return switch (kind) {
      case NGINX -> NginxConfig.generate(config, options);
      case HAPROXY -> HaproxyConfig.generate(config, options);
      case ENVOY -> EnvoyConfig.generate(config, options);
    };
  }

  private static String configSuffix(PeerKind kind) {
    return switch (kind) {
      case NGINX -> ".conf";
      case HAPROXY -> ".cfg";
      case ENVOY -> ".yaml";
    };
  }

  static List<String> command(PeerKind kind, Path binary, PeerOptions o, Path configFile) {
    List<String> c = new ArrayList<>();
    c.add(binary.toString());
    switch (kind) {
      case NGINX -> {
        c.addAll(List.of("-p", o.workDir() + "/", "-c", configFile.toString()));
        c.addAll(List.of("-e", o.log().toString(), "-g", "daemon off; master_process on;"));
      }
      case HAPROXY -> c.addAll(List.of("-db", "-f", configFile.toString()));
      case ENVOY -> {
        c.addAll(
            List.of("-c", configFile.toString(), "--concurrency", String.valueOf(o.workers())));
        c.addAll(List.of("--disable-hot-restart", "--log-level", "warn"));
      }
    }
    return c;
  }

  /** True when ready, false when the port was in use; throws when the peer failed otherwise. */
  private boolean awaitReady(long logOffset) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    ProcessHandle root = handle();
    while (System.nanoTime() < deadline) {
      String output = readFrom(process.log(), logOffset);
      if (output.contains("Address already in use") || output.contains("address already in use")) {
        return false;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            kind + " exited during start (config " + configFile + ")\n" + process.tail(20));
      }
      // A TLS listener cannot take the plain probe (HAProxy would just close): listening is enough.
      if (ProcTree.listensOn(root, port) && (tls || answersHttp())) {
        return true;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        kind + " did not answer on " + baseUrl() + " within " + READY_TIMEOUT + "\n" + tail(20));
  }

  /** Sends a request with an invalid method: any HTTP status line means the peer is serving. */
  private boolean answersHttp() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("G@T / HTTP/1.1\r\nHost: forge-probe\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(7);
      return new String(head, StandardCharsets.US_ASCII).equals("HTTP/1.");
    } catch (IOException e) {
      return false;
    }
  }

  private ProcessHandle handle() {
    Optional<ProcessHandle> h = ProcessHandle.of(process.pid());
    return h.orElseThrow(
        () -> new IllegalStateException(kind + " exited during start\n" + process.tail(20)));
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String readFrom(Path file, long offset) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      if (len <= offset) {
        return "";
      }
      byte[] b = new byte[(int) Math.min(len - offset, 1 << 20)];
      f.seek(offset);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The peer. */
  public PeerKind kind() {
    return kind;
  }

  /** {@code http://host:port} (or {@code https://} for a TLS listener) of the peer's listener. */
  public String baseUrl() {
    return (tls ? "https://" : "http://")
        + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        + ":"
        + port;
  }

  /** The port the peer listens on. */
  public int port() {
    return port;
  }

  /** The pid of the main (nginx master) process. */
  public long pid() {
    return process.pid();
  }

  /** The pids of the main process and its live children (nginx workers). */
  public List<Long> pids() {
    return ProcessHandle.of(process.pid()).map(ProcTree::pids).orElse(List.of());
  }

  /**
   * CPU milliseconds (user + system) used by the whole process tree since start (reaped children
   * included); sample it before and after a trial and subtract. 0 without {@code /proc}.
   */
  public long cpuMillis() {
    return ProcessHandle.of(process.pid()).map(ProcTree::cpuMillis).orElse(0L);
  }

  /** The generated config file. */
  public Path configFile() {
    return configFile;
  }

  /** The peer's log (its output and error log). */
  public Path log() {
    return process.log();
  }

  /** Gateway policies this peer does not reproduce, one sentence each, for the run's notes. */
  public List<String> notes() {
    return notes;
  }

  /** True while the main process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The last {@code lines} lines of the peer's log. */
  public String tail(int lines) {
    return process.tail(lines);
  }

  /**
   * Stops the peer: SIGTERM to the main process (nginx and HAProxy then stop their workers), after
   * {@link #STOP_TIMEOUT} SIGKILL to the whole tree; returns when no process of the tree is left.
   */
  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>();
    ProcessHandle.of(process.pid())
        .ifPresent(
            root -> {
              tree.add(root);
              root.descendants().forEach(tree::add);
              root.destroy();
              try {
                root.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException | TimeoutException e) {
                // killed below
              }
            });
    process.close();
    for (ProcessHandle h : tree) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }
}
