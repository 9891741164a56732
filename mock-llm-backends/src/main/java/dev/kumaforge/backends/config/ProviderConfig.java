package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.units.DataSize;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One simulated provider: a wire style, a listen address and its models.
 *
 * @param name provider name (lowercase letters, digits, dashes), required
 * @param style openai or anthropic, default openai
 * @param listen "host:port" to bind, required; port 0 picks a free port
 * @param requireApiKey reject requests without an API key (401), default true
 * @param apiKeys when not empty, the only API keys accepted (others get 401), default any key
 * @param maxBodySize largest request body accepted (larger: 413), default 10MiB
 * @param models the models served, at least one
 * @param faults faults active from start-up, default none
 * @param limits requests and tokens per minute per API key, default none
 * @param notReadyFor after start-up, answer 503 (health and API) for this long, default 0s
 * @param timingHeaders add receive/service time headers and SSE emit-time comments, default false
 * @param tls serve HTTPS (and require client certificates when it names a client CA), default plain
 *     HTTP
 * @param http2MaxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS of h2c (prior knowledge)
 *     connections on a plain-HTTP listener, default 100000
 */
public record ProviderConfig(
    String name,
    ProviderStyle style,
    String listen,
    Boolean requireApiKey,
    List<String> apiKeys,
    DataSize maxBodySize,
    List<ModelConfig> models,
    List<FaultSpec> faults,
    LimitsConfig limits,
    Duration notReadyFor,
    Boolean timingHeaders,
    TlsConfig tls,
    Integer http2MaxConcurrentStreams)
    implements Validatable {

  /** Default of {@link #http2MaxConcurrentStreams()}. */
  public static final int DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS = 100_000;

  /** Applies defaults. */
  public ProviderConfig {
    style = style == null ? ProviderStyle.OPENAI : style;
    requireApiKey = requireApiKey == null ? Boolean.TRUE : requireApiKey;
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    maxBodySize = maxBodySize == null ? DataSize.ofBytes(10L * 1024 * 1024) : maxBodySize;
    models = models == null ? List.of() : List.copyOf(models);
    faults = faults == null ? List.of() : List.copyOf(faults);
    limits = limits == null ? LimitsConfig.none() : limits;
    notReadyFor = notReadyFor == null ? Duration.ZERO : notReadyFor;
    timingHeaders = timingHeaders == null ? Boolean.FALSE : timingHeaders;
    http2MaxConcurrentStreams =
        http2MaxConcurrentStreams == null
            ? DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS
            : http2MaxConcurrentStreams;
  }

  /** The host part of {@link #listen()}. */
  public String host() {
    return HostPort.parse(listen).host();
  }

  /** The port part of {@link #listen()}. */
  public int port() {
    return HostPort.parse(listen).port();
  }

  /** The model called {@code modelName}, if served. */
  public Optional<ModelConfig> model(String modelName) {
    for (ModelConfig m : models) {
      if (m.name().equals(modelName)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The same provider listening on port 0 of the same host. */
  public ProviderConfig withPort(int port) {
    return new ProviderConfig(
        name,
        style,
        HostPort.parse(listen).host() + ":" + port,
        requireApiKey,
        apiKeys,
        maxBodySize,
        models,
        faults,
        limits,
        notReadyFor,
        timingHeaders,
        tls,
        http2MaxConcurrentStreams);
  }

  @Override
  public void validate(Validator v) {
    if (v.required(name, "name")) {
      v.check(
          name.matches("[a-z0-9][a-z0-9-]*"), "name", name, "lowercase letters, digits and dashes");
    }
    if (v.required(listen, "listen")) {
      try {
        HostPort.parse(listen);
      } catch (IllegalArgumentException e) {
        v.error("listen", e.getMessage());
      }
    }
    v.check(
        maxBodySize.bytes() >= 1024 && maxBodySize.bytes() <= Integer.MAX_VALUE,
        "maxBodySize",
        maxBodySize,
        "1KiB .. 2GiB");
    v.check(!models.isEmpty(), "models", "[]", "at least one model");
    v.each("models", models, (mv, m) -> m.validate(mv));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < models.size(); i++) {
      ModelConfig m = models.get(i);
      if (m != null && m.name() != null && !seen.add(m.name())) {
        v.at("models", i).error("name", "duplicate model name '" + m.name() + "'");
      }
    }
    v.each("faults", faults, (fv, f) -> f.validate(fv));
    limits.validate(v.at("limits"));
    v.check(!notReadyFor.isNegative(), "notReadyFor", notReadyFor, ">= 0");
    if (tls != null) {
      tls.validate(v.at("tls"));
    }
    v.check(
        http2MaxConcurrentStreams >= 1,
        "http2MaxConcurrentStreams",
        http2MaxConcurrentStreams,
        ">= 1");
    for (int i = 0; i < faults.size(); i++) {
      FaultSpec f = faults.get(i);
      if (f != null && f.model() != null && model(f.model()).isEmpty()) {
        v.at("faults", i).error("model", "unknown model '" + f.model() + "'");
      }
    }
  }

  /** A parsed "host:port". */
  public record HostPort(String host, int port) {
    /** Parses "host:port" or "[v6]:port". */
    public static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException(
            "'" + text + "' (expected: host:port, such as 127.0.0.1:18001)");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + text + "' (expected: host:port with a numeric port)", e);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("'" + text + "' (expected: a port in 0 .. 65535)");
      }
      return new HostPort(host, port);
    }
  }
}
