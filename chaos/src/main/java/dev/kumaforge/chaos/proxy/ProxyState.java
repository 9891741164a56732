package dev.kumaforge.chaos.proxy;

import java.util.List;

/**
 * A proxy as the API shows it.
 *
 * @param name the proxy name
 * @param listen the listen address (the bound one once it listened, so port 0 is resolved)
 * @param upstream the upstream address
 * @param enabled whether it listens
 * @param toxics its toxics, upstream chain first, each in chain order
 */
public record ProxyState(
    String name, String listen, String upstream, boolean enabled, List<ToxicSpec> toxics) {}
