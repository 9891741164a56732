package dev.kumaforge.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx ({@code /usr/sbin/nginx}) with one worker proxying everything to one backend, as a
 * control for the manual load ITs: what the same load costs the machine with nginx in the gateway's
 * place. Started as the harness's {@code PeerTarget} starts it ({@code nginx -p DIR -c FILE -e LOG
 * -g 'daemon off; master_process on;'}); that class is not reachable from here (the harness depends
 * on this module). nginx cannot bind port 0: a random port of 24000-24999 is tried, and another one
 * when nginx reports it in use.
 */
final class NginxControl implements AutoCloseable {
  private final Process process;
  private final InetSocketAddress address;
  private final Path dir;

  private NginxControl(Process process, InetSocketAddress address, Path dir) {
    this.process = process;
    this.address = address;
    this.dir = dir;
  }

  /**
   * Starts nginx proxying to {@code backend} (host:port) with {@code client_header_timeout} {@code
   * headerTimeoutSeconds}; waits until it accepts connections.
   */
  static NginxControl start(String backend, int headerTimeoutSeconds)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("forge-nginx-control");
    Files.createDirectories(dir.resolve("tmp"));
    for (int attempt = 0; attempt < 8; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(24_000, 25_000);
      Path conf = dir.resolve("nginx.conf");
      Files.writeString(conf, config(dir, backend, port, headerTimeoutSeconds));
      Path log = dir.resolve("error.log");
      Files.deleteIfExists(log);
      Process p =
          new ProcessBuilder(
                  "/usr/sbin/nginx",
                  "-p",
                  dir + "/",
                  "-c",
                  conf.toString(),
                  "-e",
                  log.toString(),
                  "-g",
                  "daemon off; master_process on;")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("output.log").toFile())
              .start();
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (p.isAlive() && System.nanoTime() < until) {
        if (Files.exists(dir.resolve("nginx.pid")) && accepts(address)) {
          return new NginxControl(p, address, dir);
        }
        Thread.sleep(20);
      }
      p.destroyForcibly().waitFor();
      String errors = Files.exists(log) ? Files.readString(log) : "";
      if (!errors.contains("Address already in use")) {
        throw new IllegalStateException("nginx did not start on port " + port + ":\n" + errors);
      }
    }
    throw new IllegalStateException("nginx found no free port in 24000-24999");
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String config(Path dir, String backend, int port, int headerTimeoutSeconds) {
    StringBuilder s = new StringBuilder();
    s.append("worker_processes 1;\nworker_rlimit_nofile 8192;\n");
    s.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
    s.append("events {\n  worker_connections 8192;\n}\nhttp {\n  access_log off;\n");
    for (String temp : new String[] {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      s.append("  ").append(temp).append("_temp_path ").append(dir.resolve("tmp/" + temp));
      s.append(";\n");
    }
    s.append("  keepalive_timeout 75s;\n  keepalive_requests 1000000;\n");
    s.append("  client_header_timeout ").append(headerTimeoutSeconds).append("s;\n");
    s.append("  proxy_http_version 1.1;\n  proxy_set_header Connection \"\";\n");
    s.append("  proxy_buffering off;\n");
    s.append("  upstream b {\n    server ").append(backend).append(";\n    keepalive 32;\n  }\n");
    s.append("  server {\n    listen 127.0.0.1:").append(port).append(";\n");
    s.append("    location / {\n      proxy_pass http://b;\n    }\n  }\n}\n");
    return s.toString();
  }

  InetSocketAddress address() {
    return address;
  }

  /** CPU nanoseconds used so far by nginx's processes (master and worker). */
  long cpuNanos() {
    long ticks = ticks(process.toHandle());
    for (ProcessHandle child : process.children().toList()) {
      ticks += ticks(child);
    }
    return ticks * TimeUnit.SECONDS.toNanos(1) / 100; // USER_HZ
  }

  private static long ticks(ProcessHandle h) {
    try {
      String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy(); // SIGTERM: nginx's fast shutdown
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
