package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Route filters, host matching and trace headers through real sockets. */
class FiltersIT {

  @Test
  void headerModifiersRewriteRedirectHostsAndTraceHeaders() throws Exception {
    try (TestUpstream u = new TestUpstream("u");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: b
                    endpoints: [{address: "%s"}]
                routes:
                  - name: rewrite
                    matches: [{path: {type: PathPrefix, value: /old}}]
                    filters:
                      - type: URLRewrite
                        urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}
                      - type: RequestHeaderModifier
                        requestHeaderModifier:
                          set: [{name: x-set, value: s}]
                          add: [{name: x-added, value: a}]
                          remove: [x-drop]
                      - type: ResponseHeaderModifier
                        responseHeaderModifier:
                          set: [{name: x-gateway, value: forge}]
                    backendRefs: [{name: b}]
                  - name: moved
                    matches: [{path: {type: Exact, value: /moved}}]
                    filters:
                      - type: RequestRedirect
                        requestRedirect: {path: /new/place, statusCode: 301}
                  - name: host-only
                    hostnames: ["*.example.com"]
                    matches: [{path: {type: PathPrefix, value: /h}}]
                    backendRefs: [{name: b}]
                """
                    .formatted(u.address()))) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(URI.create(gw.url("/old/items?q=1")))
                  .header("x-set", "client")
                  .header("x-drop", "gone")
                  .header("x-request-id", "rid-1")
                  .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                  .build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-gateway")).hasValue("forge");
      TestUpstream.Seen seen = u.seen.poll();
      assertThat(seen.path()).isEqualTo("/new/items?q=1");
      assertThat(seen.header("x-set")).isEqualTo("s");
      assertThat(seen.header("x-added")).isEqualTo("a");
      assertThat(seen.header("x-drop")).isNull();
      assertThat(seen.header("x-request-id")).isEqualTo("rid-1");
      assertThat(seen.header("traceparent"))
          .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
          .doesNotContain("00f067aa0ba902b7");

      HttpResponse<String> moved = gw.get("/moved");
      assertThat(moved.statusCode()).isEqualTo(301);
      assertThat(moved.headers().firstValue("location"))
          .hasValueSatisfying(l -> assertThat(l).endsWith("/new/place"));

      assertThat(gw.get("/h").statusCode()).isEqualTo(404);
      HttpResponse<String> host =
          gw.send(HttpRequest.newBuilder(URI.create(gw.url("/h"))).header("x-probe", "1").build());
      assertThat(host.statusCode()).isEqualTo(404);
      u.seen.clear();
      // a Host header the JDK client lets us set is not possible; use the admin-free raw socket
      try (var socket = new java.net.Socket("127.0.0.1", URI.create(gw.url("/")).getPort())) {
        socket
            .getOutputStream()
            .write(
                "GET /h HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String response =
            new String(
                socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(response).startsWith("HTTP/1.1 200");
      }
      TestUpstream.Seen hosted = u.seen.poll();
      assertThat(hosted.header("x-request-id")).hasSize(32);
      assertThat(hosted.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }
  }

  @Test
  void requestMirrorSendsACopyAndDropsItsResponse() throws Exception {
    try (TestUpstream main = new TestUpstream("main");
        TestUpstream shadow = new TestUpstream("shadow");
        GatewayFixture gw =
            new GatewayFixture(
                """
                backends:
                  - name: main
                    endpoints: [{address: "%s"}]
                  - name: shadow
                    endpoints: [{address: "%s"}]
                routes:
                  - name: r
                    filters:
                      - type: RequestMirror
                        requestMirror: {backendRef: {name: shadow}}
                    backendRefs: [{name: main}]
                """
                    .formatted(main.address(), shadow.address()))) {
      shadow.behave((ex, n) -> TestUpstream.respond(ex, 500, "{\"shadow\":true}"));
      HttpResponse<String> r = gw.post("/v1/chat", "{\"q\":1}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"upstream\":\"main\"}");
      org.awaitility.Awaitility.await().until(() -> shadow.count.get() == 1);
      assertThat(shadow.seen.peek().body()).isEqualTo("{\"q\":1}");
      assertThat(shadow.seen.peek().path()).isEqualTo("/v1/chat");
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  gw.adminGet("/metrics")
                      .body()
                      .contains(
                          "gateway_mirrored_requests_total{backend=\"shadow\",result=\"ok\"} 1"));
    }
  }
}
