package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keep-alive reuse of upstream connections under a mix that provokes the races: 8 clients, each on
 * one keep-alive connection, send 40 POSTs with bodies of 0 to 20,000 bytes split into up to three
 * writes at random, to an upstream that per request (chosen by the client) reads the body and
 * answers with it (Content-Length or chunked, in pieces), answers before reading it, or answers and
 * closes. Every body is the request's id repeated, so a request written into another one's body, or
 * a body cut or mixed up, shows at the upstream ("bad ...") or at the client. Seeded: a failure
 * names its seed and request.
 */
class UpstreamReuseIT {
  private static final int CLIENTS = 8;
  private static final int REQUESTS = 40;

  private enum Mode {
    ECHO,
    CHUNKED,
    EARLY,
    CLOSE
  }

  @ParameterizedTest(name = "upstream {0}, server {1}, upstream answers {2}")
  @CsvSource({
    // Not the Pekko pool (connectionPool.transport: pekko): on that path some requests fail before
    // they are sent (StageWasCompleted, 502) under this load, even with echoes only (3 of 5 runs
    // on 2026-11-23, cause not found); see reference.yaml
    "netty, netty, ECHO CHUNKED EARLY CLOSE",
    "netty, pekko, ECHO CHUNKED EARLY CLOSE"
  })
  void everyRequestArrivesWholeAndAloneAndEveryAnswerBelongsToItsRequest(
      String transport, String server, String modeNames) throws Exception {
    List<Mode> modes = Arrays.stream(modeNames.split(" ")).map(Mode::valueOf).toList();
    long seed = System.nanoTime();
    List<String> bad = Collections.synchronizedList(new ArrayList<>());
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newCachedThreadPool();
    try (ServerSocket upstream = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        GatewayFixture gw =
            GatewayFixture.toUpstream(
                transport, upstream.getLocalPort(), "server: {transport: " + server + "}\n")) {
      threads.submit(
          () -> {
            for (int n = 1; !upstream.isClosed(); n++) {
              try {
                Socket s = upstream.accept();
                String conn = "upstream connection " + n + ": ";
                threads.submit(() -> serve(s, conn, bad, events));
              } catch (IOException e) {
                return;
              }
            }
          });
      URI u = URI.create(gw.url("/"));
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Random random = new Random(seed + c);
        String client = "seed " + seed + " client " + c;
        clients.add(
            threads.submit(
                () -> {
                  client(
                      new InetSocketAddress(u.getHost(), u.getPort()),
                      client,
                      modes,
                      random,
                      events);
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertThat(bad).as("seed %d", seed).isEmpty();
    } finally {
      threads.shutdownNow();
    }
  }

  /** One client's requests on one keep-alive connection (a new one after a close). */
  private static void client(
      InetSocketAddress gateway,
      String client,
      List<Mode> modes,
      Random random,
      List<String> events)
      throws IOException, InterruptedException {
    Socket s = null;
    try {
      for (int i = 0; i < REQUESTS; i++) {
        if (s == null) {
          s = new Socket();
          s.connect(gateway);
          s.setSoTimeout(20_000);
        }
        String id = client.replace(' ', '-') + "-" + i;
        Mode mode = modes.get(random.nextInt(modes.size()));
        byte[] body = body(id, random.nextInt(4) == 0 ? 0 : random.nextInt(20_000));
        byte[] head =
            ("POST /echo/"
                    + id
                    + " HTTP/1.1\r\nhost: gw\r\nx-mode: "
                    + mode
                    + "\r\ncontent-length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] wire = new byte[head.length + body.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(body, 0, wire, head.length, body.length);
        String what = "%s request %d (%s, %d bytes)".formatted(client, i, mode, body.length);
        Response r;
        try {
          r = exchange(s, wire, random);
        } catch (IOException e) {
          throw new AssertionError(what + ": " + e + history(events, id), e);
        }
        assertThat(r.status).as(what + ": " + r.text() + history(events, id)).isEqualTo(200);
        String expected =
            mode == Mode.EARLY ? "early " + id : new String(body, StandardCharsets.US_ASCII);
        assertThat(r.text()).as(what).isEqualTo(expected);
        if (r.closed) {
          s.close();
          s = null;
        }
      }
    } finally {
      if (s != null) {
        s.close();
      }
    }
  }

  /** Writes {@code wire} in one to three pieces a few ms apart; reads the response. */
  private static Response exchange(Socket s, byte[] wire, Random random)
      throws IOException, InterruptedException {
    OutputStream out = s.getOutputStream();
    int pieces = 1 + random.nextInt(3);
    int from = 0;
    for (int p = 1; p <= pieces; p++) {
      int to = p == pieces ? wire.length : from + random.nextInt(wire.length - from + 1);
      out.write(wire, from, to - from);
      out.flush();
      from = to;
      if (p < pieces) {
        Thread.sleep(random.nextInt(4));
      }
    }
    return Response.read(s.getInputStream());
  }

  /** What the upstream connections that saw request {@code id} did, for a failure message. */
  private static String history(List<String> events, String id) {
    List<String> copy;
    synchronized (events) {
      copy = new ArrayList<>(events);
    }
    List<String> conns =
        copy.stream()
            .filter(e -> e.contains(" " + id + " "))
            .map(e -> e.substring(0, e.indexOf(": ") + 2))
            .distinct()
            .toList();
    StringBuilder sb = new StringBuilder("\nupstream connections that saw " + id + ":");
    for (String e : copy) {
      if (conns.stream().anyMatch(e::startsWith)) {
        sb.append("\n  ").append(e);
      }
    }
    return sb.toString();
  }

  /** {@code id} and a space, repeated, cut to {@code size} bytes. */
  private static byte[] body(String id, int size) {
    byte[] unit = (id + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = unit[i % unit.length];
    }
    return b;
  }

  /** The upstream side of one connection. */
  private static void serve(Socket s, String conn, List<String> bad, List<String> events) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = RawHttp.head(in);
        if (head.isEmpty()) {
          events.add(conn + "closed by the gateway");
          return;
        }
        String[] line = head.split("\r\n", 2)[0].split(" ");
        if (line.length != 3 || !line[0].equals("POST") || !line[1].startsWith("/echo/")) {
          bad.add("bad head: " + head);
          return;
        }
        String id = line[1].substring(6);
        Mode mode = Mode.valueOf(RawHttp.header(head, "x-mode"));
        int length = Integer.parseInt(RawHttp.header(head, "content-length"));
        events.add(conn + "request " + id + " " + mode + " " + length + " bytes");
        if (mode == Mode.EARLY) {
          byte[] early = ("early " + id).getBytes(StandardCharsets.US_ASCII);
          out.write(
              ("HTTP/1.1 200 OK\r\ncontent-length: " + early.length + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(early);
          out.flush();
        }
        byte[] body = in.readNBytes(length);
        if (!Arrays.equals(body, Arrays.copyOf(body(id, length), body.length))) {
          bad.add("bad body of " + id + ": " + new String(body, StandardCharsets.US_ASCII));
          return;
        }
        if (body.length < length) {
          if (mode != Mode.EARLY) { // after an early answer the gateway may close instead
            bad.add("body of " + id + " cut at " + body.length + " of " + length + " bytes");
          }
          return;
        }
        switch (mode) {
          case ECHO, CLOSE -> {
            out.write(
                ("HTTP/1.1 200 OK\r\ncontent-length: "
                        + length
                        + (mode == Mode.CLOSE ? "\r\nconnection: close" : "")
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            if (mode == Mode.CLOSE) {
              events.add(conn + "answered " + id + " and closes");
              return;
            }
          }
          case CHUNKED -> {
            out.write(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            int half = length / 2;
            for (int[] part : new int[][] {{0, half}, {half, length}}) {
              if (part[1] > part[0]) {
                out.write(
                    (Integer.toHexString(part[1] - part[0]) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, part[0], part[1] - part[0]);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
              }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          case EARLY -> {
            // answered above
          }
        }
      }
    } catch (IOException e) {
      // the gateway closed the connection: after an early answer it must
      events.add(conn + "ended: " + e);
    }
  }

  /** A response read whole: Content-Length or chunked body. */
  private record Response(int status, byte[] body, boolean closed) {
    String text() {
      return new String(body, StandardCharsets.US_ASCII);
    }

    static Response read(InputStream in) throws IOException {
      String head = RawHttp.head(in);
      assertThat(head).as("a response head").isNotEmpty();
      int status = Integer.parseInt(head.substring(9, 12));
      String lower = head.toLowerCase(Locale.ROOT);
      boolean closed = lower.contains("\r\nconnection: close");
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (lower.contains("\r\ntransfer-encoding: chunked")) {
        while (true) {
          String size = line(in);
          int n = Integer.parseInt(size.split(";")[0].trim(), 16);
          if (n == 0) {
            while (!line(in).isEmpty()) {
              // trailers
            }
            break;
          }
          body.write(in.readNBytes(n));
          line(in);
        }
      } else {
        int length = Integer.parseInt(RawHttp.header(head, "content-length"));
        body.write(in.readNBytes(length));
      }
      return new Response(status, body.toByteArray(), closed);
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }
}
