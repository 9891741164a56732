package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One action. Which keys apply depends on {@code type}; the others must be absent.
 *
 * @param type what to do, required
 * @param api Toxiproxy-compatible API base URL for toxic, proxy-down, proxy-reset (default {@code
 *     http://127.0.0.1:8474})
 * @param proxy proxy name (toxic, proxy-down)
 * @param toxic the toxic to add (toxic)
 * @param url backend base URL (backend-fault) or request URL (http)
 * @param faults the fault list sent to the backend's {@code PUT /admin/faults} (backend-fault)
 * @param method HTTP method (http, default GET)
 * @param body request body (http)
 * @param status expected status (http, default 2xx)
 * @param target managed process name (kill, restart)
 * @param signal signal of a kill: KILL or TERM (default KILL)
 * @param restartAfter restart the killed process after this long, even without a step duration
 */
public record Action(
    ActionType type,
    String api,
    String proxy,
    ToxicAction toxic,
    String url,
    List<Map<String, Object>> faults,
    String method,
    String body,
    Integer status,
    String target,
    String signal,
    Duration restartAfter)
    implements Validatable {

  /** The default Toxiproxy API. */
  public static final String DEFAULT_API = "http://127.0.0.1:8474";

  /** Applies defaults. */
  public Action {
    api = api == null ? DEFAULT_API : api;
    faults = faults == null ? null : List.copyOf(faults);
  }

  @Override
  public void validate(Validator v) {
    if (!v.required(type, "type")) {
      return;
    }
    switch (type) {
      case TOXIC -> {
        v.required(proxy, "proxy");
        if (v.required(toxic, "toxic")) {
          toxic.validate(v.at("toxic"));
        }
      }
      case PROXY_DOWN -> v.required(proxy, "proxy");
      case PROXY_RESET, GATEWAY_RELOAD, REDIS_STOP -> {}
      case BACKEND_FAULT -> {
        checkUrl(v);
        if (v.required(faults, "faults")) {
          v.check(!faults.isEmpty(), "faults", "[]", "at least one fault");
        }
      }
      case HTTP -> {
        checkUrl(v);
        if (status != null) {
          v.check(status >= 100 && status <= 599, "status", status, "100 to 599");
        }
      }
      case KILL, RESTART -> {
        v.required(target, "target");
        if (signal != null) {
          v.check(signal.equals("KILL") || signal.equals("TERM"), "signal", signal, "KILL or TERM");
        }
      }
    }
    if (!api.startsWith("http://") && !api.startsWith("https://")) {
      v.error("api", "'" + api + "' (expected: an http:// URL)");
    }
  }

  private void checkUrl(Validator v) {
    if (v.required(url, "url")) {
      v.check(
          url.startsWith("http://") || url.startsWith("https://"),
          "url",
          "'" + url + "'",
          "an http:// or https:// URL");
    }
  }
}
