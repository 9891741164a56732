package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validator;
import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * CPU pinning per role (Linux {@code taskset} CPU lists such as {@code 0}, {@code 1-3} or {@code
 * 0,2}): the load generator, the target processes (gateway, nginx, HAProxy, Envoy) and the mock
 * backends each run on their own CPUs, so a measurement is not disturbed by the others and the
 * generator's use of at most its CPUs is enforced, not hoped for. A null role is not pinned.
 *
 * @param load the load generator (the forge process running the open-loop engine, or the Gatling
 *     JVM)
 * @param targets every target process
 * @param backends the mock backends process
 */
public record Cpus(String load, String targets, String backends) {
  /** What a CPU list looks like. */
  public static final String EXPECTED =
      "a CPU list like 0, 1-3 or 0,2 (taskset syntax: numbers and ranges, comma-separated)";

  private static final Pattern LIST =
      Pattern.compile("\\d{1,4}(-\\d{1,4})?(,\\d{1,4}(-\\d{1,4})?)*");

  /** Whether any role is pinned. */
  public boolean any() {
    return load != null || targets != null || backends != null;
  }

  void validate(Validator v) {
    check(v, "load", load);
    check(v, "targets", targets);
    check(v, "backends", backends);
  }

  private static void check(Validator v, String key, String list) {
    if (list != null) {
      v.check(parse(list) != null, key, "'" + list + "'", EXPECTED);
    }
  }

  /**
   * The CPUs of {@code list}, or null when it is not a valid CPU list (bad syntax or a range whose
   * end is below its start).
   */
  public static BitSet parse(String list) {
    if (list == null || !LIST.matcher(list).matches()) {
      return null;
    }
    BitSet cpus = new BitSet();
    for (String part : list.split(",")) {
      int dash = part.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
      if (to < from) {
        return null;
      }
      cpus.set(from, to + 1);
    }
    return cpus;
  }
}
