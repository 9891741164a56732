package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An HTTP request the engine sends: the single {@code workload.request}, or one entry of the
 * weighted mix {@code workload.requests}.
 *
 * @param name for a mix entry: its unique name (required there)
 * @param weight for a mix entry: relative share of the sends (default 1)
 * @param method HTTP method (default {@code GET})
 * @param path request path starting with {@code /}, appended to the target's base URL (default
 *     {@code /})
 * @param headers extra request headers (name -> value); {@code host} and {@code content-length} are
 *     set by the engine
 * @param body request body as text (UTF-8), or none
 * @param turns Gatling only: requests per session (a multi-turn conversation), each sent when the
 *     previous answer arrived plus {@code thinkTime} (default 1)
 * @param thinkTime Gatling only: pause between the turns of a session (default 0s)
 * @param followUps Gatling only: the user messages of turns 2.. (cycled); every answer is appended
 *     to the conversation before the next one (default one "Please go on.")
 * @param sessionHeader Gatling only: the gateway keeps the conversation under this header (a
 *     session id per virtual user) and turns 2.. send only their new user message; default none
 *     (the client resends the whole conversation every turn)
 */
public record RequestSpec(
    String name,
    Double weight,
    String method,
    String path,
    Map<String, String> headers,
    String body,
    Integer turns,
    Duration thinkTime,
    List<String> followUps,
    String sessionHeader)
    implements Validatable {
  /** The follow-up sent when none is configured. */
  public static final String DEFAULT_FOLLOW_UP = "Please go on.";

  private static final Pattern TOKEN = Pattern.compile("^[A-Z]+$");
  private static final Pattern HEADER = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$");

  public RequestSpec {
    weight = weight == null ? 1.0 : weight;
    method = method == null ? "GET" : method;
    path = path == null ? "/" : path;
    turns = turns == null ? 1 : turns;
    thinkTime = thinkTime == null ? Duration.ZERO : thinkTime;
    followUps = followUps == null ? List.of(DEFAULT_FOLLOW_UP) : List.copyOf(followUps);
    headers =
        headers == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A single-turn request (no session). */
  public RequestSpec(
      String name,
      Double weight,
      String method,
      String path,
      Map<String, String> headers,
      String body) {
    this(name, weight, method, path, headers, body, null, null, null, null);
  }

  /** Whether this request is a multi-turn session ({@code turns > 1}). */
  public boolean session() {
    return turns > 1;
  }

  /** The default request: {@code GET /}. */
  public static RequestSpec defaults() {
    return new RequestSpec(null, null, null, null, null, null);
  }

  /** A single (unnamed) request. */
  public static RequestSpec of(
      String method, String path, Map<String, String> headers, String body) {
    return new RequestSpec(null, null, method, path, headers, body);
  }

  /** A named, weighted entry of a request mix. */
  public static RequestSpec weighted(
      String name, double weight, String method, String path, String body) {
    return new RequestSpec(name, weight, method, path, null, body);
  }

  @Override
  public void validate(Validator v) {
    v.check(turns >= 1 && turns <= 1000, "turns", turns, "1 to 1000");
    v.check(!thinkTime.isNegative(), "thinkTime", thinkTime, ">= 0s");
    v.check(!followUps.isEmpty(), "followUps", "[]", "at least one user message");
    for (int i = 0; i < followUps.size(); i++) {
      String f = followUps.get(i);
      v.check(f != null && !f.isBlank(), "followUps[" + i + "]", f, "a non-empty message");
    }
    if (turns > 1) {
      v.check(
          body != null && body.contains("\"messages\""),
          "body",
          body == null ? "missing" : "a body without \"messages\"",
          "a chat request with a \"messages\" array (turns > 1 is a conversation)");
    }
    if (sessionHeader != null) {
      v.check(
          HEADER.matcher(sessionHeader).matches(),
          "sessionHeader",
          sessionHeader,
          "a valid header name");
    }
    v.check(Double.isFinite(weight) && weight > 0, "weight", weight, "> 0");
    v.check(
        TOKEN.matcher(method).matches(),
        "method",
        method,
        "an upper-case HTTP method such as GET or POST");
    v.check(
        path.startsWith("/") && !path.contains(" "),
        "path",
        path,
        "a path starting with / and without spaces");
    headers.forEach(
        (k, val) -> {
          v.check(HEADER.matcher(k).matches(), "headers", k, "a valid header name");
          String lower = k.toLowerCase(java.util.Locale.ROOT);
          v.check(
              !lower.equals("host") && !lower.equals("content-length"),
              "headers." + k,
              k,
              "not host or content-length (the engine sets them)");
          v.check(
              val != null && val.indexOf('\n') < 0 && val.indexOf('\r') < 0,
              "headers." + k,
              val,
              "a single-line value");
        });
  }
}
