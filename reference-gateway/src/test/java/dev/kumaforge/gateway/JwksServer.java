package dev.kumaforge.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A JWKS endpoint on port 0 ({@code GET /jwks}) whose key set tests replace at run time. */
final class JwksServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  final AtomicInteger fetches = new AtomicInteger();
  private volatile String jwks;

  JwksServer(String jwks) throws IOException {
    this.jwks = jwks;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setExecutor(executor);
    server.createContext(
        "/jwks",
        ex -> {
          fetches.incrementAndGet();
          byte[] body = this.jwks.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
  }

  void serve(String newJwks) {
    this.jwks = newJwks;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
