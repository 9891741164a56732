package dev.kumaforge.gateway.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Byte-level checks on a connection's inbound bytes, below Pekko's HTTP parser (which accepts what
 * these refuse): a bare-LF line ending in a request's header section, and {@code Transfer-Encoding}
 * on an HTTP/1.0 request (Pekko answers that one with 500).
 *
 * <pre>
 *   TLS (decrypted bytes) -> HeaderScan -> Pekko HTTP server layer -> ConnectionGuard -> handler
 * </pre>
 *
 * <p>A request's header section is held until its blank line (Pekko needs all of it before it emits
 * the request anyway), then passed on in one piece; only header sections are scanned, bodies are
 * skipped by their framing (Content-Length, chunk sizes). A refused section is never passed on: in
 * its place Pekko gets a synthetic request carrying {@link #MARKER} with a per-process secret,
 * which {@link ConnectionGuard} answers with 400 and {@code Connection: close} after the responses
 * to the earlier requests. Anything the scanner cannot follow (a malformed chunk size, conflicting
 * lengths) is left to Pekko's parser, which refuses it and closes the connection; the rest of such
 * a connection is passed through unscanned.
 */
final class HeaderScan
    extends GraphStage<FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound>> {
  /** Header of the synthetic request that stands for a refused one. */
  static final String MARKER = "x-forge-refused-by-scan";

  /** The marker's value: random per process, so a client cannot send the synthetic request. */
  static final String SECRET = secret();

  /** Why a request was refused; the {@code check} label of the refusal metric. */
  enum Refusal {
    BARE_LF("bare_lf", "bare LF line endings are not allowed (lines must end with CRLF)"),
    TE_HTTP10("te_http10", "Transfer-Encoding is not allowed on an HTTP/1.0 request"),
    /** An {@code authorization} or {@code x-api-key} value over the listener's header limit. */
    CREDENTIAL_TOO_LARGE("credential_too_large", "the credentials are not valid");

    final String label;
    final String message;

    Refusal(String label, String message) {
      this.label = label;
      this.message = message;
    }
  }

  /** The verdict of one connection, shared with its {@link ConnectionGuard}. */
  static final class Verdict {
    volatile Refusal refusal;

    /** {@link System#nanoTime()} of the accept ({@link HeadGate}): the first head's deadline. */
    volatile long accepted;

    /**
     * {@link System#nanoTime()} when the first byte of a request head that has not ended yet
     * arrived, 0 when none is open: {@link ConnectionGuard}'s header deadline on a keep-alive
     * connection runs from it, so an idle connection is not closed by the header deadline.
     */
    volatile long headStart;
  }

  /** What Pekko gets instead of a refused request; {@link ConnectionGuard} answers it. */
  private static final ByteString SYNTHETIC =
      ByteString.fromString(
          "GET / HTTP/1.1\r\nHost: refused.invalid\r\n"
              + MARKER
              + ": "
              + SECRET
              + "\r\nConnection: close\r\n\r\n");

  private static final long HTTP10 = tail("HTTP/1.0");
  private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] AUTHORIZATION = "authorization".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] API_KEY = "x-api-key".getBytes(StandardCharsets.US_ASCII);

  // states
  private static final int HEAD = 0;
  private static final int BODY = 1;
  private static final int CHUNK_SIZE = 2;
  private static final int CHUNK_EXT = 3;
  private static final int CHUNK_DATA = 4;
  private static final int CHUNK_DATA_END = 5;
  private static final int TRAILER = 6;
  private static final int PASS = 7;
  private static final int REFUSED = 8;

  private final Inlet<TLSProtocol.SslTlsInbound> in = Inlet.create("HeaderScan.in");
  private final Outlet<TLSProtocol.SslTlsInbound> out = Outlet.create("HeaderScan.out");
  private final FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound> shape =
      FlowShape.of(in, out);
  private final int maxHeld;
  private final int maxCredential;
  private final Verdict verdict;

  /**
   * A scanner holding at most {@code maxHeld} bytes of one header section; a longer section is
   * passed on as it arrives (Pekko's limits refuse it) and scanned without being held. An {@code
   * authorization} or {@code x-api-key} value longer than {@code maxCredential} bytes is refused
   * (401) before Pekko's header value limit would answer 431.
   */
  HeaderScan(int maxHeld, int maxCredential, Verdict verdict) {
    this.maxHeld = maxHeld;
    this.maxCredential = maxCredential;
    this.verdict = verdict;
  }

  @Override
  public FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound> shape() {
    return shape;
  }

  private static String secret() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static long tail(String s) {
    long t = 0;
    for (int i = 0; i < s.length(); i++) {
      t = (t << 8) | (s.charAt(i) & 0xff);
    }
    return t;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private int state = HEAD;
      // header section
      private ByteString held = ByteString.emptyByteString();
      private boolean holding = true;
      private boolean prevCr;
      private int lineLen;
      private int lineIndex;
      private long lineTail;
      private boolean http10;
      private boolean inName;
      private int matchCl;
      private int matchTe;
      private int matchAuth;
      private int matchKey;
      private boolean credential;
      private int nameLen;
      private boolean valueCl;
      private long clValue;
      private boolean clDigits;
      private long contentLength;
      private boolean te;
      // bodies
      private long remaining;
      private boolean sizeDigits;
      private javax.net.ssl.SSLSession session;
      private boolean completeAfter;

      {
        resetHead();
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                TLSProtocol.SslTlsInbound element = grab(in);
                if (state == PASS || !(element instanceof TLSProtocol.SessionBytes sb)) {
                  if (state == REFUSED) {
                    pull(in);
                  } else {
                    push(out, element);
                  }
                  return;
                }
                session = sb.session();
                ByteString forward = scan(sb.bytes());
                if (state != HEAD || held.isEmpty()) {
                  verdict.headStart = 0;
                } else if (verdict.headStart == 0) {
                  verdict.headStart = System.nanoTime();
                }
                if (completeAfter) {
                  if (forward.isEmpty()) {
                    completeStage();
                  } else {
                    emit(
                        out,
                        new TLSProtocol.SessionBytes(sb.session(), forward),
                        () -> completeStage());
                  }
                } else if (forward.isEmpty()) {
                  pull(in);
                } else {
                  push(out, new TLSProtocol.SessionBytes(sb.session(), forward));
                }
              }

              @Override
              public void onUpstreamFinish() {
                // an unfinished header section is passed on so that Pekko answers it as before
                if (state == HEAD && !held.isEmpty()) {
                  ByteString rest = held;
                  held = ByteString.emptyByteString();
                  emit(out, new TLSProtocol.SessionBytes(session, rest), () -> completeStage());
                } else {
                  completeStage();
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }

      private void resetHead() {
        state = HEAD;
        held = ByteString.emptyByteString();
        holding = true;
        prevCr = false;
        lineLen = 0;
        lineIndex = 0;
        lineTail = 0;
        http10 = false;
        contentLength = -1;
        te = false;
        startLine();
      }

      private void startLine() {
        lineLen = 0;
        lineTail = 0;
        inName = true;
        matchCl = 0;
        matchTe = 0;
        matchAuth = 0;
        matchKey = 0;
        credential = false;
        nameLen = 0;
        valueCl = false;
        clValue = 0;
        clDigits = false;
      }

      /**
       * Scans {@code bytes}; returns what to pass on now (held header bytes are released at the end
       * of their section).
       */
      private ByteString scan(ByteString bytes) {
        ByteString forward = ByteString.emptyByteString();
        int offset = 0; // of the current buffer within bytes
        int from = 0; // start of the bytes not yet forwarded or held
        for (ByteBuffer buf : bytes.getByteBuffers()) {
          int n = buf.remaining();
          int base = buf.position();
          int i = 0;
          while (i < n) {
            int before = state;
            if (state == HEAD) {
              if (skippable()) {
                i = skipLine(buf, base, i, n);
                if (i == n) {
                  continue;
                }
              }
              int r = head(buf.get(base + i) & 0xff);
              i++;
              if (r < 0) {
                state = REFUSED;
                held = ByteString.emptyByteString();
                if (!holding) {
                  // part of the section already went on: Pekko gets no more of this connection
                  verdict.refusal = null;
                  completeAfter = true;
                  return forward;
                }
                // nothing of this section goes on, the synthetic request does
                return forward.concat(SYNTHETIC);
              }
              if (r > 0) {
                // the section is complete: release it
                int end = offset + i;
                ByteString part = bytes.slice(from, end);
                forward = forward.concat(holding ? held.concat(part) : part);
                held = ByteString.emptyByteString();
                from = end;
                afterHead();
              }
            } else if (state == BODY || state == CHUNK_DATA) {
              long take = Math.min(remaining, n - i);
              i += (int) take;
              remaining -= take;
              if (remaining == 0) {
                if (state == BODY) {
                  resetHead();
                } else {
                  state = CHUNK_DATA_END;
                }
              }
            } else if (state == PASS || state == REFUSED) {
              i = n;
            } else {
              chunked(buf.get(base + i) & 0xff);
              i++;
            }
            if (before != HEAD && state == HEAD) {
              // a body ended here: it goes on now, the next header section is held
              forward = forward.concat(bytes.slice(from, offset + i));
              from = offset + i;
            }
          }
          offset += n;
        }
        if (state == REFUSED) {
          return forward;
        }
        if (state == HEAD && holding) {
          held = held.concat(bytes.slice(from, bytes.size()));
          if (held.size() > maxHeld) {
            // too long to hold: Pekko's limits refuse it; scanned on, no longer held
            forward = forward.concat(held);
            held = ByteString.emptyByteString();
            holding = false;
          }
        } else {
          forward = forward.concat(bytes.slice(from, bytes.size()));
        }
        return forward;
      }

      /**
       * Whether the bytes up to the next CR or LF need no look one by one: the rest of the request
       * line (only its last 8 bytes matter) or a value of a header the scanner does not check.
       */
      private boolean skippable() {
        return !prevCr && lineLen > 0 && (lineIndex == 0 || !(inName || credential || valueCl));
      }

      /**
       * Skips from {@code i} to the next CR or LF in {@code buf} (or its end), doing what {@link
       * #head} does for each skipped byte; returns the index reached.
       */
      private int skipLine(ByteBuffer buf, int base, int i, int n) {
        int j = i;
        while (j < n) {
          byte c = buf.get(base + j);
          if (c == '\r' || c == '\n') {
            break;
          }
          j++;
        }
        if (lineIndex == 0) {
          for (int k = Math.max(i, j - 8); k < j; k++) {
            lineTail = (lineTail << 8) | (buf.get(base + k) & 0xff);
          }
        }
        lineLen += j - i;
        return j;
      }

      /** 0: go on, 1: the header section ended, -1: refused. */
      private int head(int b) {
        if (b == '\n') {
          if (!prevCr) {
            return refuse(Refusal.BARE_LF);
          }
          prevCr = false;
          if (lineLen == 0) {
            if (lineIndex == 0) {
              return 0; // an empty line before the request line is ignored
            }
            if (http10 && te) {
              return refuse(Refusal.TE_HTTP10);
            }
            return 1;
          }
          endLine();
          return 0;
        }
        if (prevCr) {
          // a lone CR: Pekko refuses it; nothing to follow here
          prevCr = false;
        }
        if (b == '\r') {
          prevCr = true;
          return 0;
        }
        lineLen++;
        if (lineIndex == 0) {
          lineTail = (lineTail << 8) | b;
          return 0;
        }
        if (inName) {
          if (b == ':') {
            inName = false;
            valueCl = matchCl == CONTENT_LENGTH.length;
            if (matchTe == TRANSFER_ENCODING.length) {
              te = true;
            }
            credential = matchAuth == AUTHORIZATION.length || matchKey == API_KEY.length;
            nameLen = lineLen;
            return 0;
          }
          int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
          matchCl = match(matchCl, CONTENT_LENGTH, lower);
          matchTe = match(matchTe, TRANSFER_ENCODING, lower);
          matchAuth = match(matchAuth, AUTHORIZATION, lower);
          matchKey = match(matchKey, API_KEY, lower);
        } else if (credential) {
          if (lineLen - nameLen > maxCredential) {
            return refuse(Refusal.CREDENTIAL_TOO_LARGE);
          }
        } else if (valueCl) {
          if (b >= '0' && b <= '9') {
            clDigits = true;
            clValue = clValue * 10 + (b - '0');
            if (clValue > 1L << 50) {
              valueCl = false;
              clValue = -2;
            }
          } else if (b != ' ' && b != '\t') {
            valueCl = false;
            clValue = -2; // not a length: Pekko refuses the request
          }
        }
        return 0;
      }

      private int match(int pos, byte[] name, int b) {
        return pos >= 0 && pos < name.length && name[pos] == b ? pos + 1 : -1;
      }

      private void endLine() {
        if (lineIndex == 0) {
          http10 = lineTail == HTTP10;
        } else if (matchCl == CONTENT_LENGTH.length && !inName) {
          long v = clDigits && clValue >= 0 ? clValue : -2;
          contentLength = contentLength == -1 || contentLength == v ? v : -2;
        }
        lineIndex++;
        startLine();
      }

      private int refuse(Refusal r) {
        verdict.refusal = r;
        return -1;
      }

      private void afterHead() {
        if (te) {
          state = CHUNK_SIZE; // anything but exactly "chunked" is refused by Pekko and closes
          remaining = 0;
          sizeDigits = false;
        } else if (contentLength == -2) {
          state = PASS; // refused by Pekko (400 and close)
        } else if (contentLength > 0) {
          state = BODY;
          remaining = contentLength;
        } else {
          resetHead();
        }
      }

      private void chunked(int b) {
        switch (state) {
          case CHUNK_SIZE -> {
            int d = Character.digit(b, 16);
            if (d >= 0) {
              sizeDigits = true;
              remaining = remaining * 16 + d;
              if (remaining > 1L << 50) {
                state = PASS;
              }
            } else if (!sizeDigits) {
              state = PASS; // Pekko refuses it
            } else if (b == '\n') {
              endSize();
            } else {
              state = CHUNK_EXT;
            }
          }
          case CHUNK_EXT -> {
            if (b == '\n') {
              endSize();
            }
          }
          case CHUNK_DATA_END -> {
            if (b == '\n') {
              state = CHUNK_SIZE;
              remaining = 0;
              sizeDigits = false;
            } else if (b != '\r') {
              state = PASS;
            }
          }
          case TRAILER -> {
            if (b == '\n') {
              if (lineLen == 0) {
                resetHead();
              } else {
                lineLen = 0;
              }
            } else if (b != '\r') {
              lineLen++;
            }
          }
          default -> state = PASS;
        }
      }

      private void endSize() {
        if (remaining == 0) {
          state = TRAILER;
          lineLen = 0;
        } else {
          state = CHUNK_DATA;
        }
      }
    };
  }
}
