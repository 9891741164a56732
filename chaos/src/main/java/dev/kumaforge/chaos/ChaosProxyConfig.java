package dev.kumaforge.chaos;

import dev.kumaforge.chaos.proxy.HostPort;
import dev.kumaforge.chaos.proxy.ProxySpec;
import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fault proxy's config file: the control API address and the proxies to create at start (the
 * same fields as Toxiproxy's {@code /populate}). Every key is documented in {@code
 * chaos/reference.yaml}.
 *
 * @param api {@code host:port} of the control API (default {@code 127.0.0.1:8474}; port 0 = any)
 * @param threads event loop threads for the proxied connections (default: available processors)
 * @param seed seed of the toxicity and jitter draws (default 1)
 * @param proxies the proxies to create at start (default none)
 */
public record ChaosProxyConfig(String api, Integer threads, Long seed, List<ProxySpec> proxies)
    implements Validatable {

  /** The default control API address, the one of Toxiproxy. */
  public static final String DEFAULT_API = "127.0.0.1:8474";

  public ChaosProxyConfig {
    api = api == null || api.isEmpty() ? DEFAULT_API : api;
    threads = threads == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : threads;
    seed = seed == null ? 1L : seed;
    proxies = proxies == null ? List.of() : List.copyOf(proxies);
  }

  /** No proxies, the API on {@link #DEFAULT_API}. */
  public static ChaosProxyConfig defaults() {
    return new ChaosProxyConfig(null, null, null, null);
  }

  /** Loads and validates a config file; throws a ConfigException naming every problem. */
  public static ChaosProxyConfig load(Path file) {
    return YamlConfig.load(file, ChaosProxyConfig.class);
  }

  /** The same config with another API address (the {@code --api} option). */
  public ChaosProxyConfig withApi(String newApi) {
    ChaosProxyConfig c = new ChaosProxyConfig(newApi, threads, seed, proxies);
    Validator v = Validator.root();
    c.validate(v);
    v.throwIfInvalid("--api");
    return c;
  }

  /** The same config with the API and every proxy on port 0 (for tests). */
  public ChaosProxyConfig withEphemeralPorts() {
    HostPort hp = HostPort.parse(api, true);
    String host = hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host();
    return new ChaosProxyConfig(
        host + ":0", threads, seed, proxies.stream().map(ProxySpec::withEphemeralPort).toList());
  }

  @Override
  public void validate(Validator v) {
    HostPort.problem(api, true).ifPresent(p -> v.error("api", p));
    v.check(threads >= 1 && threads <= 64, "threads", threads, "1 to 64");
    Set<String> names = new HashSet<>();
    v.each(
        "proxies",
        proxies,
        (pv, p) -> {
          p.validate(pv);
          if (p.name() != null && !names.add(p.name())) {
            pv.error("name", "duplicate proxy name '" + p.name() + "'");
          }
        });
  }
}
