package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compressed request bodies on an LLM route (RELIABILITY.md item 10): gzip is decoded, a deflate
 * bomb streamed by the test ends in 413 with bounded memory, an unknown encoding gets 415.
 */
class LlmBodyIT {
  static final String CATALOG =
      """
      ai:
        models:
          - name: gpt-4o-mini
            deployments:
              - {backend: openai, model: gpt-4o-mini, apiKey: sk-upstream}
      """;
  static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  static AiFixture f;

  @BeforeAll
  static void start() {
    f = new AiFixture("", CATALOG);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static HttpRequest.Builder chat(String encoding) {
    return HttpRequest.newBuilder(URI.create(f.gw.url("/v1/chat/completions")))
        .header("Authorization", "Bearer " + AiFixture.KEY_A)
        .header("content-type", "application/json")
        .header("Content-Encoding", encoding);
  }

  @Test
  void gzipBodyIsDecoded() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(CHAT.getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<String> r =
        f.client.send(
            chat("gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"usage\"");
  }

  @Test
  void deflateBombIsRefusedWith413() throws Exception {
    // 256 MiB of zeros, compressed while sent (about 256 KiB on the wire); never in memory
    InputStream zeros =
        new InputStream() {
          private long left = 256L << 20;

          @Override
          public int read() {
            return left-- > 0 ? 0 : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
          }
        };
    HttpResponse<String> r;
    try {
      r =
          f.client.send(
              chat("deflate")
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new DeflaterInputStream(zeros)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("the gateway should answer 413, not drop the connection", e);
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    // the gateway still serves
    assertThat(f.chat(AiFixture.KEY_A, CHAT).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownEncodingIsRefusedWith415() throws Exception {
    HttpResponse<String> r =
        f.client.send(
            chat("br").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(r.body()).contains("unsupported_encoding");
  }
}
