package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * One system under test.
 *
 * @param name unique target name; lowercase letters, digits, dashes
 * @param type what kind of target it is
 * @param backend for {@code direct}: the provider name in the backends config (default: the first)
 * @param config for gateway targets: the gateway config file, resolved against the scenario's
 *     folder (required for {@code reference})
 * @param url for {@code external}: the base URL ({@code http[s]://host:port[/prefix]})
 * @param tls how the load engine verifies an {@code https://} target and which client certificate
 *     it presents; default: the JVM's trust store, no client certificate
 * @param listenerTls for {@code nginx} and {@code haproxy}: serve HTTPS (mTLS with a client CA)
 *     with these files; default plain HTTP
 * @param connectionPerRequest open a new connection (and TLS handshake) for every request, default
 *     false (keep-alive)
 * @param jvmOptions for {@code reference}: JVM options added to the gateway's defaults (a collector
 *     named here replaces the default one), e.g. two targets that differ only in their collector;
 *     default none
 * @param settle for {@code reference}: before each trial, drive the gateway until its JIT compiler
 *     threads are quiet; default none (the trial starts with the workload's warm-up)
 */
public record Target(
    String name,
    TargetType type,
    String backend,
    String config,
    String url,
    TargetTls tls,
    ListenerTls listenerTls,
    Boolean connectionPerRequest,
    List<String> jvmOptions,
    JitSettle settle)
    implements Validatable {

  /** Applies defaults. */
  public Target {
    connectionPerRequest = connectionPerRequest != null && connectionPerRequest;
    jvmOptions = jvmOptions == null ? List.of() : Collections.unmodifiableList(jvmOptions);
  }

  /** The gateway config file as a path, or null when the target has none. */
  public Path configPath() {
    return config == null ? null : Path.of(config);
  }

  /** The same target with its file paths made absolute against {@code baseDir}. */
  Target resolvedAgainst(Path baseDir) {
    return new Target(
        name,
        type,
        backend,
        resolve(baseDir, config),
        url,
        tls == null ? null : tls.resolvedAgainst(baseDir),
        listenerTls == null ? null : listenerTls.resolvedAgainst(baseDir),
        connectionPerRequest,
        jvmOptions,
        settle);
  }

  static String resolve(Path baseDir, String file) {
    return file == null ? null : baseDir.resolve(file).normalize().toString();
  }

  /** Reads the (resolved) TLS files; errors name their key below {@code v}. */
  void checkFiles(Validator v) {
    if (tls != null) {
      tls.checkFiles(v.at("tls"));
    }
    if (listenerTls != null) {
      listenerTls.checkFiles(v.at("listenerTls"));
    }
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
        v.check(
            isHttpUrl(url), "url", url, "an http:// or https:// URL such as http://127.0.0.1:8080");
      }
    } else if (url != null) {
      v.error("url", "only allowed for type external");
    }
    if (backend != null && type == TargetType.EXTERNAL) {
      v.error("backend", "not allowed for type external");
    }
    if (listenerTls != null && type != TargetType.NGINX && type != TargetType.HAPROXY) {
      v.error(
          "listenerTls",
          "only for nginx and haproxy targets"
              + (type == TargetType.REFERENCE
                  ? " (the reference gateway's TLS listener is listeners.public.tls in its config)"
                  : ""));
    }
    if (listenerTls != null) {
      v.required(listenerTls.certificate(), "listenerTls.certificate");
      v.required(listenerTls.privateKey(), "listenerTls.privateKey");
    }
    if (tls != null && (tls.certificate() == null) != (tls.privateKey() == null)) {
      v.error("tls", "certificate and privateKey go together (a client certificate needs its key)");
    }
    if (!jvmOptions.isEmpty() && type != TargetType.REFERENCE) {
      v.error("jvmOptions", "only for reference targets (the gateway's JVM)");
    }
    if (settle != null) {
      if (type == TargetType.REFERENCE) {
        settle.validate(v.at("settle"));
      } else {
        v.error(
            "settle",
            "only for reference targets (it watches the gateway JVM's JIT compiler threads)");
      }
    }
    for (int i = 0; i < jvmOptions.size(); i++) {
      String option = jvmOptions.get(i);
      v.check(
          option != null && JVM_OPTION.matcher(option).matches(),
          "jvmOptions[" + i + "]",
          option,
          "one JVM option starting with '-', without spaces, e.g. -XX:+UseZGC or -Xmx1g"
              + " (not -jar, -cp or -classpath: the harness starts the gateway)");
    }
    if (tls != null && url != null && url.startsWith("http://")) {
      v.error("tls", "set for an http:// url (expected: an https:// url)");
    }
  }

  private static final java.util.regex.Pattern JVM_OPTION =
      java.util.regex.Pattern.compile("-(?!jar$|cp$|classpath$|-class-path)\\S+");

  private static boolean isHttpUrl(String text) {
    try {
      URI u = new URI(text);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
