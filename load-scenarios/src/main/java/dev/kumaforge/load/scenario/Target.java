package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * One system under test.
 *
 * @param name unique target name; lowercase letters, digits, dashes
 * @param type what kind of target it is
 * @param backend for {@code direct}: the provider name in the backends config (default: the first)
 * @param config for gateway targets: the gateway config file, resolved against the scenario's
 *     folder (required for {@code reference})
 * @param url for {@code external}: the base URL ({@code http://host:port[/prefix]})
 */
public record Target(String name, TargetType type, String backend, String config, String url)
    implements Validatable {

  /** The gateway config file as a path, or null when the target has none. */
  public Path configPath() {
    return config == null ? null : Path.of(config);
  }

  /** The same target with {@code config} made absolute against {@code baseDir}. */
  Target resolvedAgainst(Path baseDir) {
    if (config == null) {
      return this;
    }
    return new Target(name, type, backend, baseDir.resolve(config).normalize().toString(), url);
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(Scenario.NAME.matcher(name).matches(), "name", name, Scenario.NAME_EXPECTED);
    }
    if (!v.required(type, "type")) {
      return;
    }
    if (type == TargetType.REFERENCE) {
      v.required(config, "config");
    }
    if (config != null && !type.takesConfig()) {
      v.error(
          "config", "not allowed for type " + type + " (only reference, nginx, haproxy, envoy)");
    }
    if (type == TargetType.EXTERNAL) {
      if (v.required(url, "url")) {
        v.check(isHttpUrl(url), "url", url, "an http:// URL such as http://127.0.0.1:8080");
      }
    } else if (url != null) {
      v.error("url", "only allowed for type external");
    }
    if (backend != null && type == TargetType.EXTERNAL) {
      v.error("backend", "not allowed for type external");
    }
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI u = new URI(text);
      return "http".equals(u.getScheme()) && u.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
