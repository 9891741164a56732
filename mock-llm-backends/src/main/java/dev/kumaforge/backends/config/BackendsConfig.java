package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.config.YamlConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The mock backends config file: a seed and a list of providers.
 *
 * <pre>{@code
 * BackendsConfig config = BackendsConfig.load(Path.of("examples/quickstart.yaml"));
 * try (MockBackends backends = MockBackends.start(config.withEphemeralPorts())) {
 *   String url = backends.listeners().get("openai");
 * }
 * }</pre>
 *
 * @param seed seed of every random draw (timing, output length, fault rates), default 42
 * @param providers the providers, at least one, names unique
 */
public record BackendsConfig(Long seed, List<ProviderConfig> providers) implements Validatable {

  /** Applies defaults. */
  public BackendsConfig {
    seed = seed == null ? 42L : seed;
    providers = providers == null ? List.of() : List.copyOf(providers);
  }

  /** Loads and validates a config file; errors name the YAML path. */
  public static BackendsConfig load(Path file) {
    return YamlConfig.load(file, BackendsConfig.class);
  }

  /** Parses and validates YAML text; {@code source} names it in error messages. */
  public static BackendsConfig parse(String yaml, String source) {
    return YamlConfig.parse(yaml, source, BackendsConfig.class);
  }

  /** The same config with every provider listening on port 0 of its host. */
  public BackendsConfig withEphemeralPorts() {
    List<ProviderConfig> list = new ArrayList<>();
    for (ProviderConfig p : providers) {
      list.add(p.withPort(0));
    }
    return new BackendsConfig(seed, list);
  }

  /** The provider called {@code name}, if any. */
  public Optional<ProviderConfig> provider(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  @Override
  public void validate(Validator v) {
    v.check(!providers.isEmpty(), "providers", "[]", "at least one provider");
    v.each("providers", providers, (pv, p) -> p.validate(pv));
    Set<String> names = new HashSet<>();
    Set<String> listens = new HashSet<>();
    for (int i = 0; i < providers.size(); i++) {
      ProviderConfig p = providers.get(i);
      if (p == null) {
        continue;
      }
      if (p.name() != null && !names.add(p.name())) {
        v.at("providers", i).error("name", "duplicate provider name '" + p.name() + "'");
      }
      if (p.listen() != null && !p.listen().endsWith(":0") && !listens.add(p.listen())) {
        v.at("providers", i).error("listen", "address '" + p.listen() + "' is used twice");
      }
    }
  }
}
