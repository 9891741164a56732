package dev.kumaforge.backends.internal;

import dev.kumaforge.backends.config.FaultSpec;
import dev.kumaforge.backends.config.FaultType;
import dev.kumaforge.backends.config.ModelConfig;
import dev.kumaforge.backends.config.ProviderConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The live state of one provider: models, ledger, faults. Shared by all its connections. */
public final class ProviderRuntime {
  private final ProviderConfig config;
  private final long faultSeed;
  private final RateLimiter limiter;
  private final Map<String, ModelRuntime> models = new LinkedHashMap<>();
  private final Ledger ledger = new Ledger();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicReference<List<FaultSpec>> faults = new AtomicReference<>(List.of());
  private volatile long freezeUntilNanos = System.nanoTime();
  private volatile long readyAtNanos;
  private final ProviderMetrics metrics;
  private final WireStats wire = new WireStats();

  /** Builds the runtime of {@code config}; {@code seed} seeds every draw. */
  public ProviderRuntime(ProviderConfig config, long seed) {
    this.config = config;
    long providerSeed = ModelRuntime.mix(seed ^ config.name().hashCode());
    this.faultSeed = ModelRuntime.mix(providerSeed + 1);
    this.limiter = new RateLimiter(config.limits());
    for (ModelConfig m : config.models()) {
      models.put(m.name(), new ModelRuntime(m, providerSeed));
    }
    setFaults(config.faults());
    this.readyAtNanos = System.nanoTime() + config.notReadyFor().toNanos();
    this.metrics = new ProviderMetrics(this);
  }

  /** The provider's Prometheus metrics. */
  ProviderMetrics metrics() {
    return metrics;
  }

  /** Connections and h2 streams. */
  WireStats wire() {
    return wire;
  }

  /** Whether the not-ready start-up period is over. */
  boolean ready() {
    return System.nanoTime() - readyAtNanos >= 0;
  }

  /** The provider's config. */
  public ProviderConfig config() {
    return config;
  }

  /** What the provider served so far. */
  public Ledger ledger() {
    return ledger;
  }

  RateLimiter limiter() {
    return limiter;
  }

  ModelRuntime model(String name) {
    return name == null ? null : models.get(name);
  }

  Iterable<ModelRuntime> models() {
    return models.values();
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  /** The faults in force. */
  public List<FaultSpec> faults() {
    return faults.get();
  }

  /** Replaces the faults in force; a freeze starts now. */
  public void setFaults(List<FaultSpec> specs) {
    faults.set(List.copyOf(specs));
    long now = System.nanoTime();
    long until = now;
    for (FaultSpec f : specs) {
      if (f.type() == FaultType.FREEZE) {
        until = Math.max(until, now + f.duration().toNanos());
      }
    }
    freezeUntilNanos = until;
  }

  /** The faults that strike request {@code requestNumber} of {@code model}. */
  FaultDecision decide(String model, long requestNumber) {
    return FaultDecision.decide(faults.get(), model, faultSeed ^ model.hashCode(), requestNumber);
  }

  /** Clears faults, the ledger, the rate-limit buckets, the ids and the per-model sequences. */
  public void reset() {
    setFaults(List.of());
    ledger.reset();
    wire.reset();
    limiter.reset();
    ids.set(0);
    for (ModelRuntime m : models.values()) {
      m.reset();
    }
  }

  /** {@link System#nanoTime()} until which no response byte may leave. */
  long freezeUntilNanos() {
    return freezeUntilNanos;
  }
}
