package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The steady-state hypothesis: probes checked before, during and after the method.
 *
 * @param interval time between two probe rounds (default 1s)
 * @param probes the probes, at least one
 */
public record Hypothesis(Duration interval, List<Probe> probes) implements Validatable {

  /** Applies defaults. */
  public Hypothesis {
    interval = interval == null ? Duration.ofSeconds(1) : interval;
    probes = probes == null ? List.of() : List.copyOf(probes);
  }

  @Override
  public void validate(Validator v) {
    v.check(
        interval.toMillis() >= 10 && interval.toMinutes() < 10,
        "interval",
        interval,
        "10ms to 10m");
    v.check(!probes.isEmpty(), "probes", "[]", "at least one probe");
    Set<String> names = new HashSet<>();
    v.each(
        "probes",
        probes,
        (pv, p) -> {
          p.validate(pv);
          if (p.name() != null && !names.add(p.name())) {
            pv.error("name", "duplicate probe name '" + p.name() + "'");
          }
        });
  }
}
