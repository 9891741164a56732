package dev.kumaforge.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Writes raw bytes on a socket and reads the answer: no HTTP client refuses the bad request. */
final class RawHttp {
  /**
   * What came back.
   *
   * @param status the status code of the first response, or -1 when none arrived
   * @param closed whether the server closed the connection after its answer
   * @param text everything read (head and body), ISO-8859-1
   */
  record Answer(int status, boolean closed, String text) {}

  private RawHttp() {}

  /**
   * Sends {@code request} to the listener at {@code url} and reads one response (waiting at most
   * {@code readMillis} for it); with {@code checkClose}, then waits up to 2 s for the server to
   * close.
   */
  static Answer send(String url, byte[] request, int readMillis, boolean checkClose)
      throws IOException {
    URI u = URI.create(url);
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      s.setSoTimeout(readMillis);
      try {
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
      } catch (IOException e) {
        // the server may close before it read everything; its answer is still readable
      }
      return read(s, checkClose);
    }
  }

  /** Reads one response, then optionally whether the connection is closed. */
  static Answer read(Socket s, boolean checkClose) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    boolean closed = false;
    try {
      while (!complete(out.toString(StandardCharsets.ISO_8859_1))) {
        int n = in.read(buf);
        if (n < 0) {
          closed = true;
          break;
        }
        out.write(buf, 0, n);
      }
      if (!closed && checkClose) {
        s.setSoTimeout(2_000);
        closed = in.read() < 0;
      }
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      closed = true; // reset
    }
    String text = out.toString(StandardCharsets.ISO_8859_1);
    int status = -1;
    if (text.startsWith("HTTP/1.") && text.length() >= 12) {
      status = Integer.parseInt(text.substring(9, 12));
    }
    return new Answer(status, closed, text);
  }

  /** Whether {@code text} holds a whole response with a Content-Length body. */
  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(Locale.ROOT);
    int cl = head.indexOf("\r\ncontent-length:");
    if (cl < 0) {
      return true;
    }
    int eol = head.indexOf("\r\n", cl + 2);
    String v = head.substring(cl + 17, eol < 0 ? head.length() : eol).trim();
    return text.length() - end - 4 >= Long.parseLong(v);
  }

  /**
   * Reads one head from {@code in}, up to and with its blank line; what came before the end of the
   * stream when it ends first ("" when nothing came).
   */
  static String head(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  /** The value of header {@code name} (any case) in {@code head}, trimmed; null when absent. */
  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** {@code text} with its line ends turned into CRLF, as ISO-8859-1 bytes. */
  static byte[] crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }
}
