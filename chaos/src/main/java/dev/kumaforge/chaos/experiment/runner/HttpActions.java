package dev.kumaforge.chaos.experiment.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The built-in executors that speak HTTP: {@code toxic}, {@code proxy-down} and {@code proxy-reset}
 * against a Toxiproxy-compatible API (the forge chaos proxy or Toxiproxy itself), {@code
 * backend-fault} against a mock backend's admin API, and plain {@code http} requests.
 */
public final class HttpActions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;

  /** Executors using {@code http} (its executor should not be the common pool). */
  public HttpActions(HttpClient http) {
    this.http = http;
  }

  /** The executors by action type. */
  public Map<ActionType, ActionExecutor> executors() {
    Map<ActionType, ActionExecutor> m = new EnumMap<>(ActionType.class);
    m.put(ActionType.TOXIC, this::toxic);
    m.put(ActionType.PROXY_DOWN, this::proxyDown);
    m.put(ActionType.PROXY_RESET, this::proxyReset);
    m.put(ActionType.BACKEND_FAULT, this::backendFault);
    m.put(ActionType.HTTP, this::request);
    return m;
  }

  private ActionExecutor.Handle toxic(Action a) throws IOException, InterruptedException {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("name", a.toxic().effectiveName());
    body.put("type", a.toxic().type());
    body.put("stream", a.toxic().stream());
    body.put("toxicity", a.toxic().toxicity());
    body.put("attributes", a.toxic().attributes());
    String proxyPath = a.api() + "/proxies/" + a.proxy();
    send("POST", proxyPath + "/toxics", JSON.writeValueAsString(body), 200);
    return () -> send("DELETE", proxyPath + "/toxics/" + a.toxic().effectiveName(), null, 204);
  }

  private ActionExecutor.Handle proxyDown(Action a) throws IOException, InterruptedException {
    String path = a.api() + "/proxies/" + a.proxy();
    send("POST", path, "{\"enabled\":false}", 200);
    return () -> send("POST", path, "{\"enabled\":true}", 200);
  }

  private ActionExecutor.Handle proxyReset(Action a) throws IOException, InterruptedException {
    send("POST", a.api() + "/reset", null, 204);
    return ActionExecutor.Handle.NONE;
  }

  private ActionExecutor.Handle backendFault(Action a) throws IOException, InterruptedException {
    String faults = a.url() + "/admin/faults";
    send("PUT", faults, JSON.writeValueAsString(Map.of("faults", a.faults())), 200);
    return () -> send("DELETE", faults, null, 200);
  }

  private ActionExecutor.Handle request(Action a) throws IOException, InterruptedException {
    send(
        a.method() == null ? "GET" : a.method(),
        a.url(),
        a.body(),
        a.status() == null ? 0 : a.status());
    return ActionExecutor.Handle.NONE;
  }

  /** Sends a request; {@code expect} 0 accepts any 2xx. Throws IOException on another status. */
  private void send(String method, String url, String body, int expect)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    boolean ok = expect == 0 ? res.statusCode() / 100 == 2 : res.statusCode() == expect;
    if (!ok) {
      throw new IOException(
          method + " " + url + " answered " + res.statusCode() + ": " + res.body().strip());
    }
  }
}
