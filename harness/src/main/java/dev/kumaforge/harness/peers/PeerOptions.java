package dev.kumaforge.harness.peers;

import java.nio.file.Path;

/**
 * How a peer is configured beyond the route table.
 *
 * @param workers worker processes (nginx), threads (HAProxy) or concurrency (Envoy): give every
 *     target the same count, e.g. the reference gateway's cores
 * @param host listen address, default 127.0.0.1
 * @param port listen port; 0 lets {@link PeerTarget#start} choose one (config generators need a
 *     concrete port, except Envoy's)
 * @param workDir folder for the config, pid and temp files (generators need it for nginx)
 * @param log the peer's error log (nginx writes it itself; others log to the captured output)
 * @param tls serve HTTPS (mutual TLS with a client CA) on the listener, or null for plain HTTP
 */
public record PeerOptions(int workers, String host, int port, Path workDir, Path log, PeerTls tls) {
  public PeerOptions {
    if (workers < 1 || workers > 1024) {
      throw new IllegalArgumentException("peer workers: " + workers + " (expected: 1 to 1024)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("peer port: " + port + " (expected: 0 to 65535)");
    }
    host = host == null ? "127.0.0.1" : host;
    workDir = workDir == null ? null : workDir.toAbsolutePath().normalize();
    log = log == null ? null : log.toAbsolutePath().normalize();
  }

  /** Plain-HTTP options. */
  public PeerOptions(int workers, String host, int port, Path workDir, Path log) {
    this(workers, host, port, workDir, log, null);
  }

  /** {@code workers} workers on 127.0.0.1, port chosen at start. */
  public static PeerOptions workers(int workers) {
    return new PeerOptions(workers, null, 0, null, null);
  }

  /** The same options listening on {@code newPort}. */
  public PeerOptions withPort(int newPort) {
    return new PeerOptions(workers, host, newPort, workDir, log, tls);
  }

  /** The same options with these files. */
  public PeerOptions withFiles(Path newWorkDir, Path newLog) {
    return new PeerOptions(workers, host, port, newWorkDir, newLog, tls);
  }

  /** The same options serving HTTPS with {@code newTls} (null: plain HTTP). */
  public PeerOptions withTls(PeerTls newTls) {
    return new PeerOptions(workers, host, port, workDir, log, newTls);
  }

  /** The listen address as {@code host:port}, IPv6 hosts in brackets. */
  String listenAddress() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  void requireConcretePort(String peer) {
    if (port == 0) {
      throw new IllegalArgumentException(
          peer + " cannot listen on port 0: give PeerOptions a concrete port");
    }
  }

  void requireFiles(String peer) {
    if (workDir == null || log == null) {
      throw new IllegalArgumentException(peer + " config needs PeerOptions.workDir and .log");
    }
  }
}
