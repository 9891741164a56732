package dev.kumaforge.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real upstream on port 0 whose behaviour tests change at run time. */
final class TestUpstream implements AutoCloseable {
  /** What the upstream does with one request. */
  @FunctionalInterface
  interface Behaviour {
    void handle(HttpExchange ex, int count) throws IOException, InterruptedException;
  }

  /**
   * One request the upstream saw.
   *
   * @param method method
   * @param path path with query
   * @param headers headers (names lower case)
   * @param body body
   */
  record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return String.join(",", e.getValue());
        }
      }
      return null;
    }
  }

  final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CountDownLatch release = new CountDownLatch(1);
  final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  final AtomicInteger count = new AtomicInteger();
  private volatile Behaviour behaviour;

  TestUpstream(String name) throws IOException {
    this.name = name;
    this.behaviour = (ex, n) -> respond(ex, 200, "{\"upstream\":\"" + name + "\"}");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    server.setExecutor(executor);
    server.createContext(
        "/",
        ex -> {
          try {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(
                new Seen(
                    ex.getRequestMethod(),
                    ex.getRequestURI().toString(),
                    Map.copyOf(ex.getRequestHeaders()),
                    body));
            behaviour.handle(ex, count.incrementAndGet());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            // client went away
          } finally {
            ex.close();
          }
        });
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * A loopback port nobody listens on, held until the socket is closed: bound, never listening and
   * without SO_REUSEADDR, so a connection to it is refused and no server started meanwhile (by
   * another test in a parallel fork) can take it, as one could a port a closed server just freed.
   */
  static java.net.Socket refusingPort() throws IOException {
    java.net.Socket s = new java.net.Socket();
    s.setReuseAddress(false);
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    return s;
  }

  void behave(Behaviour b) {
    this.behaviour = b;
  }

  /** Blocks the handling thread until {@link #close()}. */
  void hang(HttpExchange ex) throws InterruptedException {
    release.await(30, TimeUnit.SECONDS);
  }

  static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening; later connections are refused. */
  void stop() {
    release.countDown();
    server.stop(0);
  }

  @Override
  public void close() {
    stop();
    executor.shutdownNow();
  }
}
