package dev.kumaforge.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.chaos.ChaosProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP control API: shapes, status codes and error cases, as Toxiproxy answers them. */
class ApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static ChaosProxy chaos;
  static TestServers.Server echo;
  static HttpClient http = HttpClient.newHttpClient();

  record Res(int status, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  @BeforeAll
  static void up() throws IOException {
    chaos = ProxyFixture.start();
    echo = TestServers.echo();
  }

  @AfterAll
  static void down() throws IOException {
    chaos.close();
    echo.close();
  }

  @BeforeEach
  void clean() {
    chaos.registry().proxies().keySet().forEach(chaos.registry()::delete);
  }

  static Res call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chaos.apiUrl() + path));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(res.statusCode(), res.body());
  }

  static void assertError(Res res, int status, String messagePart) throws IOException {
    assertThat(res.status()).as(res.body()).isEqualTo(status);
    JsonNode j = res.json();
    assertThat(j.get("status").asInt()).isEqualTo(status);
    assertThat(j.get("error").asText()).contains(messagePart);
  }

  String create(String name) throws Exception {
    Res res =
        call(
            "POST",
            "/proxies",
            "{\"name\":\""
                + name
                + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\""
                + echo.address()
                + "\"}");
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json().get("listen").asText();
  }

  @Test
  void proxyLifecycleHasToxiproxyShapesAndStatuses() throws Exception {
    String listen = create("api1");
    assertThat(listen).matches("127\\.0\\.0\\.1:\\d+").isNotEqualTo("127.0.0.1:0");
    JsonNode all = call("GET", "/proxies", null).json();
    assertThat(all.get("api1").get("enabled").asBoolean()).isTrue();
    assertThat(all.get("api1").get("toxics").isArray()).isTrue();

    Res toxic =
        call(
            "POST",
            "/proxies/api1/toxics",
            "{\"type\":\"latency\",\"attributes\":{\"latency\":100}}");
    assertThat(toxic.status()).isEqualTo(200);
    JsonNode t = toxic.json();
    assertThat(t.get("name").asText()).isEqualTo("latency_downstream");
    assertThat(t.get("stream").asText()).isEqualTo("downstream");
    assertThat(t.get("toxicity").asDouble()).isEqualTo(1.0);
    assertThat(t.get("attributes").get("jitter").asLong()).isZero();

    Res updated =
        call(
            "POST",
            "/proxies/api1/toxics/latency_downstream",
            "{\"attributes\":{\"jitter\":5},\"toxicity\":0.5}");
    assertThat(updated.json().get("attributes").get("latency").asLong()).isEqualTo(100);
    assertThat(updated.json().get("attributes").get("jitter").asLong()).isEqualTo(5);
    assertThat(updated.json().get("toxicity").asDouble()).isEqualTo(0.5);
    assertThat(
            call("PATCH", "/proxies/api1/toxics/latency_downstream", "{\"toxicity\":1}").status())
        .isEqualTo(200);

    assertThat(call("GET", "/proxies/api1/toxics", null).json().size()).isEqualTo(1);
    assertThat(call("GET", "/proxies/api1/toxics/latency_downstream", null).status())
        .isEqualTo(200);
    assertThat(call("DELETE", "/proxies/api1/toxics/latency_downstream", null).status())
        .isEqualTo(204);

    Res disabled = call("POST", "/proxies/api1", "{\"enabled\":false}");
    assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
    assertThat(call("POST", "/reset", null).status()).isEqualTo(204);
    assertThat(call("GET", "/proxies/api1", null).json().get("enabled").asBoolean()).isTrue();
    Res metrics = call("GET", "/metrics", null);
    assertThat(metrics.body())
        .contains("# TYPE chaos_proxy_connections_total counter")
        .contains("chaos_proxy_enabled{proxy=\"api1\"} 1");
    assertThat(call("DELETE", "/proxies/api1", null).status()).isEqualTo(204);
    assertError(call("GET", "/proxies/api1", null), 404, "proxy not found");
    assertThat(call("GET", "/metrics", null).body()).doesNotContain("api1");

    assertThat(call("GET", "/version", null).json().get("version").asText()).startsWith("2.");
  }

  @Test
  void errorsNameWhatWasWrong() throws Exception {
    create("e1");
    assertError(
        call("POST", "/proxies", "{\"name\":\"e1\",\"upstream\":\"127.0.0.1:1\"}"),
        409,
        "proxy already exists");
    assertError(
        call("POST", "/proxies", "{\"name\":\"e2\"}"), 400, "missing required field: upstream");
    assertError(
        call("POST", "/proxies", "{\"upstream\":\"127.0.0.1:1\"}"),
        400,
        "missing required field: name");
    assertError(
        call("POST", "/proxies", "{\"name\":\"e2\",\"upstream\":\"nope\"}"),
        400,
        "upstream: 'nope'");
    assertError(
        call(
            "POST",
            "/proxies",
            "{\"name\":\"e2\",\"upstream\":\"127.0.0.1:1\",\"listen\":\"127.0.0.1:99999\"}"),
        400,
        "listen");
    assertError(call("POST", "/proxies", "{\"name\":\"e2\""), 400, "bad request body");
    assertError(
        call("POST", "/proxies", "{\"name\":\"e2\",\"upstream\":\"127.0.0.1:1\",\"colour\":1}"),
        400,
        "unknown field 'colour'");
    assertError(
        call(
            "POST",
            "/proxies",
            "{\"name\":\"e2\",\"upstream\":\"127.0.0.1:1\",\"enabled\":\"yes\"}"),
        400,
        "enabled");
    String taken = chaos.registry().get("e1").listen();
    assertError(
        call(
            "POST",
            "/proxies",
            "{\"name\":\"e3\",\"upstream\":\"127.0.0.1:1\",\"listen\":\"" + taken + "\"}"),
        500,
        "cannot listen on " + taken);
    assertThat(chaos.registry().proxies()).containsOnlyKeys("e1");

    assertError(
        call("POST", "/proxies/nope/toxics", "{\"type\":\"latency\"}"), 404, "proxy not found");
    assertError(
        call("POST", "/proxies/e1/toxics", "{\"type\":\"lag\"}"), 400, "invalid toxic type");
    assertError(
        call("POST", "/proxies/e1/toxics", "{\"type\":\"latency\",\"stream\":\"sideways\"}"),
        400,
        "stream was invalid");
    assertError(
        call(
            "POST", "/proxies/e1/toxics", "{\"type\":\"latency\",\"attributes\":{\"latencyy\":1}}"),
        400,
        "attributes.latencyy");
    assertError(
        call(
            "POST", "/proxies/e1/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":-1}}"),
        400,
        "attributes.latency: -1");
    assertError(
        call(
            "POST",
            "/proxies/e1/toxics",
            "{\"type\":\"latency\",\"attributes\":{\"latency\":1.5}}"),
        400,
        "expected: an integer");
    assertError(
        call("POST", "/proxies/e1/toxics", "{\"type\":\"latency\",\"toxicity\":2}"),
        400,
        "toxicity");
    assertError(
        call(
            "POST",
            "/proxies/e1/toxics",
            "{\"type\":\"slicer\",\"attributes\":{\"average_size\":5,\"size_variation\":5}}"),
        400,
        "size_variation");
    assertThat(call("POST", "/proxies/e1/toxics", "{\"type\":\"timeout\",\"name\":\"t\"}").status())
        .isEqualTo(200);
    assertError(
        call("POST", "/proxies/e1/toxics", "{\"type\":\"timeout\",\"name\":\"t\"}"),
        409,
        "toxic already exists");
    assertError(call("GET", "/proxies/e1/toxics/zz", null), 404, "toxic not found");
    assertError(call("DELETE", "/proxies/e1/toxics/zz", null), 404, "toxic not found");
    assertError(call("PUT", "/proxies", "{}"), 405, "not allowed");
    assertError(call("GET", "/nothing", null), 404, "not found");

    HttpRequest browser =
        HttpRequest.newBuilder(URI.create(chaos.apiUrl() + "/proxies"))
            .header("User-Agent", "Mozilla/5.0")
            .build();
    assertThat(http.send(browser, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(403);
  }

  @Test
  void populateValidatesEverythingBeforeCreatingAnything() throws Exception {
    String good =
        "{\"name\":\"p1\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + echo.address() + "\"}";
    Res bad = call("POST", "/populate", "[" + good + ",{\"name\":\"p2\",\"upstream\":\"x\"}]");
    assertError(bad, 400, "at proxy 2");
    assertThat(bad.json().get("proxies").size()).isZero();
    assertThat(chaos.registry().proxies()).isEmpty();
    assertError(
        call("POST", "/populate", "[" + good + "," + good + "]"), 400, "duplicate proxy name");

    Res ok =
        call(
            "POST",
            "/populate",
            "["
                + good
                + ",{\"name\":\"p2\",\"upstream\":\""
                + echo.address()
                + "\",\"enabled\":false}]");
    assertThat(ok.status()).isEqualTo(201);
    assertThat(ok.json().get("proxies").size()).isEqualTo(2);
    assertThat(chaos.registry().get("p2").enabled()).isFalse();
    assertThat(chaos.listeners()).containsOnlyKeys("p1");
    // The same populate again keeps p1 as it is (same listen and upstream).
    String listen = chaos.registry().get("p1").listen();
    call("POST", "/populate", "[" + good + "]");
    assertThat(chaos.registry().get("p1").listen()).isEqualTo(listen);
  }
}
