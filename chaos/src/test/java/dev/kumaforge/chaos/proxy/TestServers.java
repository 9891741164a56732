package dev.kumaforge.chaos.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Small blocking upstream servers for the proxy tests, on port 0. */
final class TestServers {
  private TestServers() {}

  /** A server running {@code handler} per connection on a daemon thread. */
  static final class Server implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger reads = new AtomicInteger();

    Server(Consumer<Socket> handler) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    Thread h = new Thread(() -> handler.accept(s), "test-upstream-conn");
                    h.setDaemon(true);
                    h.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "test-upstream");
      t.setDaemon(true);
      t.start();
    }

    String address() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Echoes every read back; counts reads; half-closes when the client does. */
  static Server echo() throws IOException {
    Server[] self = new Server[1];
    self[0] =
        new Server(
            s -> {
              try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                  self[0].reads.incrementAndGet();
                  out.write(buf, 0, n);
                  out.flush();
                }
                s.shutdownOutput();
              } catch (IOException e) {
                // The client went away.
              }
            });
    return self[0];
  }

  /** Sends {@code bytes} then closes. */
  static Server sender(byte[] bytes) throws IOException {
    return new Server(
        s -> {
          try (s) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
          } catch (IOException e) {
            // The client went away.
          }
        });
  }
}
