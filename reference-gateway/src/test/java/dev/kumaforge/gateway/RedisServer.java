package dev.kumaforge.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server for a test, without persistence. redis-server cannot pick a port itself, so a
 * random port is tried and another one when redis reports it cannot bind. Missing redis-server
 * skips the test, or fails it under FORGE_REQUIRE_PEERS=1.
 */
final class RedisServer implements AutoCloseable {
  final Process process;
  final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static RedisServer start() {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
      try {
        Process p =
            new ProcessBuilder(
                    "redis-server",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no")
                .redirectErrorStream(true)
                .start();
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
          if (line.contains("Ready to accept connections")) {
            Thread drain = new Thread(() -> drain(out), "redis-output");
            drain.setDaemon(true);
            drain.start();
            return new RedisServer(p, port);
          }
        }
        p.destroyForcibly();
        last = new IOException("redis-server on port " + port + " exited: " + p.waitFor());
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().contains("Cannot run program")) {
          Assumptions.assumeFalse(
              !"1".equals(System.getenv("FORGE_REQUIRE_PEERS")), "redis-server is not installed");
          throw new IllegalStateException("redis-server is required (FORGE_REQUIRE_PEERS=1)", e);
        }
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("could not start redis-server", last);
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // discard
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
