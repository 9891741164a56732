package dev.kumaforge.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.config.GatewayConfig;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** Route matching without sockets. */
class RouterTest {
  private static final Router<String> ROUTER =
      Router.compile(
          GatewayConfig.parse(
                  """
                  listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
                  backends: [{name: b, endpoints: [{address: "h:1"}]}]
                  routes:
                    - name: catch-all
                      backendRefs: [{name: b}]
                    - name: v1
                      matches: [{path: {type: PathPrefix, value: /v1/}}]
                      backendRefs: [{name: b}]
                    - name: exact
                      matches: [{path: {type: Exact, value: /v1/models}}]
                      backendRefs: [{name: b}]
                    - name: regex
                      matches: [{path: {type: RegularExpression, value: "/v[0-9]+/items/[0-9]+"}}]
                      backendRefs: [{name: b}]
                    - name: post-chat
                      matches: [{path: {type: PathPrefix, value: /v1/chat}, method: POST}]
                      backendRefs: [{name: b}]
                    - name: tenant
                      matches:
                        - path: {type: PathPrefix, value: /v1/chat}
                          method: POST
                          headers: [{name: X-Tenant, value: acme}]
                      backendRefs: [{name: b}]
                    - name: header-regex
                      matches:
                        - path: {type: PathPrefix, value: /h}
                          headers: [{type: RegularExpression, name: x-v, value: "[a-c]+"}]
                      backendRefs: [{name: b}]
                    - name: debug
                      matches:
                        - path: {type: PathPrefix, value: /q}
                          queryParams: [{type: Present, name: debug}]
                      backendRefs: [{name: b}]
                  """,
                  "test")
              .routes(),
          r -> r.name());

  private static String route(HttpRequest r) {
    return ROUTER.route(r);
  }

  private static HttpRequest get(String uri) {
    return HttpRequest.GET(uri);
  }

  @Test
  void pathPrecedence() {
    assertThat(route(get("/v1/models"))).isEqualTo("exact");
    assertThat(route(get("/v1/models/x"))).isEqualTo("v1");
    assertThat(route(get("/v1"))).isEqualTo("v1");
    assertThat(route(get("/v1x"))).isEqualTo("catch-all");
    // Kuma's order: any PathPrefix (even "/") beats a RegularExpression
    assertThat(route(get("/v2/items/42"))).isEqualTo("catch-all");
  }

  @Test
  void methodHeadersAndQuery() {
    assertThat(route(get("/v1/chat/completions"))).isEqualTo("v1");
    HttpRequest post = HttpRequest.create("/v1/chat/completions").withMethod(HttpMethods.POST);
    assertThat(route(post)).isEqualTo("post-chat");
    assertThat(route(post.addHeader(RawHeader.create("x-tenant", "acme")))).isEqualTo("tenant");
    assertThat(route(post.addHeader(RawHeader.create("x-tenant", "other")))).isEqualTo("post-chat");
    assertThat(route(get("/h").addHeader(RawHeader.create("X-V", "abc"))))
        .isEqualTo("header-regex");
    assertThat(route(get("/h").addHeader(RawHeader.create("X-V", "abd")))).isEqualTo("catch-all");
    assertThat(route(get("/q?debug"))).isEqualTo("debug");
    assertThat(route(get("/q?debug=1&x=2"))).isEqualTo("debug");
    assertThat(route(get("/q?other=1"))).isEqualTo("catch-all");
  }

  @Test
  void noMatchGivesNull() {
    Router<String> r =
        Router.compile(
            GatewayConfig.parse(
                    """
                    listeners: {public: {address: "a:1"}, admin: {address: "127.0.0.1:2"}}
                    backends: [{name: b, endpoints: [{address: "h:1"}]}]
                    routes:
                      - name: only
                        matches: [{path: {type: Exact, value: /x}}]
                        backendRefs: [{name: b}]
                      - name: regex
                        matches: [{path: {type: RegularExpression, value: "/v[0-9]+/items/[0-9]+"}}]
                        backendRefs: [{name: b}]
                    """,
                    "t")
                .routes(),
            x -> x.name());
    assertThat(r.route(get("/y"))).isNull();
    assertThat(r.route(get("/x"))).isEqualTo("only");
    assertThat(List.of(r.route(get("/x?a=1")))).containsExactly("only");
    assertThat(r.route(get("/v2/items/42"))).isEqualTo("regex");
    assertThat(r.route(get("/v2/items/42/more"))).isNull();
  }
}
