package dev.kumaforge.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class PekkoHeadersTest {
  private static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create("x-request-id", "abc"),
          Host.create("example.com"),
          RawHeader.create("X-Forwarded-For", "10.0.0.1"),
          RawHeader.create("x-request-id", "second"));

  @Test
  void headersKeepTheirOrderAndDuplicates() {
    HttpRequest r = PekkoHeaders.withHeaders(HttpRequest.POST("/v1/x"), HEADERS);
    assertThat(r.getHeaders()).containsExactlyElementsOf(HEADERS);
    assertThat(r).isEqualTo(HttpRequest.POST("/v1/x").withHeaders(HEADERS));
    assertThat(PekkoHeaders.withHeaders(r, List.of()).getHeaders()).isEmpty();
  }

  @Test
  void aResponseIsTheOneTheJavaDslBuilds() {
    ResponseEntity entity = HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"a\":1}");
    HttpResponse built = PekkoHeaders.response(StatusCodes.BAD_GATEWAY, HEADERS, entity);
    HttpResponse expected =
        HttpResponse.create()
            .withStatus(StatusCodes.BAD_GATEWAY)
            .withHeaders(HEADERS)
            .withEntity(entity);
    assertThat(built).isEqualTo(expected);
    assertThat(built.getHeaders()).containsExactlyElementsOf(HEADERS);
    assertThat(PekkoHeaders.withHeaders(built, HEADERS.subList(0, 1)).getHeaders())
        .containsExactly(HEADERS.get(0));
  }
}
