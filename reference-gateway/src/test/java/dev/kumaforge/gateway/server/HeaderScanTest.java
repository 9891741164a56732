package dev.kumaforge.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderScan} without sockets: what it passes on to the parser, in one piece and split into
 * single bytes (every header section boundary inside a TCP segment).
 */
class HeaderScanTest {
  private static final String VALID =
      "POST /cl HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 9\r\n\r\n{\n\"a\":1\n}"
          + "POST /ch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3;x=y\r\na\nb\r\n2\r\n\n\n\r\n0\r\nT: 1\r\n\r\n"
          + "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /b HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer abc\r\n\r\n";

  private static ActorSystem system;
  private static Materializer mat;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("header-scan-test");
    mat = Materializer.matFromSystem(system);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private record Out(String text, HeaderScan.Refusal refusal) {}

  private static Out scan(String input, boolean bytewise) throws Exception {
    return scan(input, bytewise ? 1 : Integer.MAX_VALUE);
  }

  /** Scans {@code input} arriving in segments of {@code segment} bytes. */
  private static Out scan(String input, int segment) throws Exception {
    List<TLSProtocol.SslTlsInbound> in = new ArrayList<>();
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += segment) {
      byte[] part =
          java.util.Arrays.copyOfRange(bytes, i, (int) Math.min(bytes.length, (long) i + segment));
      in.add(new TLSProtocol.SessionBytes(null, ByteString.fromArray(part)));
    }
    HeaderScan.Verdict verdict = new HeaderScan.Verdict();
    List<TLSProtocol.SslTlsInbound> out =
        Source.from(in)
            .via(Flow.fromGraph(new HeaderScan(4096, 64, verdict)))
            .runWith(Sink.seq(), mat)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    StringBuilder sb = new StringBuilder();
    for (TLSProtocol.SslTlsInbound o : out) {
      sb.append(((TLSProtocol.SessionBytes) o).bytes().decodeString(StandardCharsets.ISO_8859_1));
    }
    return new Out(sb.toString(), verdict.refusal);
  }

  private static String synthetic() {
    return "GET / HTTP/1.1\r\nHost: refused.invalid\r\n"
        + HeaderScan.MARKER
        + ": "
        + HeaderScan.SECRET
        + "\r\nConnection: close\r\n\r\n";
  }

  @Test
  void validRequestsPassUnchangedWhateverTheSegments() throws Exception {
    for (int segment = 1; segment <= VALID.length(); segment++) {
      Out out = scan(VALID, segment);
      assertThat(out.text()).as("segments of %d", segment).isEqualTo(VALID);
      assertThat(out.refusal()).isNull();
    }
  }

  @Test
  void aBareLfRequestIsReplacedAfterTheEarlierOnes() throws Exception {
    for (String bad :
        new String[] {
          "GET /x HTTP/1.1\nHost: x\r\n\r\n",
          "GET /x HTTP/1.1\r\nHost: x\n\r\n",
          "GET /x HTTP/1.1\r\nHost: x\r\n\n"
        }) {
      for (boolean bytewise : new boolean[] {false, true}) {
        Out out = scan(VALID + bad + "GET /later HTTP/1.1\r\nHost: x\r\n\r\n", bytewise);
        assertThat(out.text()).isEqualTo(VALID + synthetic());
        assertThat(out.refusal()).isEqualTo(HeaderScan.Refusal.BARE_LF);
      }
    }
  }

  @Test
  void transferEncodingOnHttp10AndOversizedCredentialsAreRefused() throws Exception {
    String http10 =
        "POST /a/longer/path?q=1 HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    for (int segment : new int[] {1, 2, 3, 5, 7, 9, 13, Integer.MAX_VALUE}) {
      Out te = scan(http10, segment);
      assertThat(te.text()).as("segments of %d", segment).isEqualTo(synthetic());
      assertThat(te.refusal()).isEqualTo(HeaderScan.Refusal.TE_HTTP10);
      // the same on HTTP/1.1 is a valid chunked request
      String http11 = http10.replace("HTTP/1.0", "HTTP/1.1");
      assertThat(scan(http11, segment).text()).as("segments of %d", segment).isEqualTo(http11);
    }

    for (String name : new String[] {"Authorization", "X-API-Key"}) {
      Out big = scan("GET /x HTTP/1.1\r\n" + name + ": " + "k".repeat(65) + "\r\n\r\n", false);
      assertThat(big.text()).isEqualTo(synthetic());
      assertThat(big.refusal()).isEqualTo(HeaderScan.Refusal.CREDENTIAL_TOO_LARGE);
    }
    String fits =
        "GET /x HTTP/1.1\r\nAuthorization: "
            + "k".repeat(63)
            + "\r\nX-Other: "
            + "o".repeat(200)
            + "\r\n\r\n";
    assertThat(scan(fits, true).text()).isEqualTo(fits);
  }

  @Test
  void framingTheScanCannotFollowIsLeftToTheParser() throws Exception {
    String text =
        "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
            + "GET /y HTTP/1.1\nHost: x\n\n";
    Out out = scan(text, true);
    assertThat(out.text()).isEqualTo(text);
    assertThat(out.refusal()).isNull();
  }
}
