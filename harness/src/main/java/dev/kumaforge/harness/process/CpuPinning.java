package dev.kumaforge.harness.process;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.load.scenario.Cpus;
import dev.kumaforge.load.scenario.Engine;
import dev.kumaforge.load.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU pinning of the harness's processes with Linux {@code taskset}: a scenario's {@code cpus}
 * roles become a {@code taskset -c LIST} prefix on child commands, and the load role pins the forge
 * process itself (every thread, JIT and GC included). When the forge process is pinned, children of
 * roles left out get every online CPU, so they do not inherit the load generator's CPUs.
 *
 * <pre>{@code
 * CpuPinning.check(scenario.cpus(), "scenario.yaml");   // before anything starts
 * CpuPinning pinning = CpuPinning.of(scenario);
 * pinning.pinThisProcess();
 * List<String> cmd = pinning.targets(List.of("nginx", "-c", conf));
 * }</pre>
 */
public final class CpuPinning {
  private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

  private final Cpus cpus;
  private final boolean selfPinned;

  private CpuPinning(Cpus cpus, boolean selfPinned) {
    this.cpus = cpus;
    this.selfPinned = selfPinned;
  }

  /**
   * The pinning of {@code scenario}'s run: the forge process itself is the load generator unless
   * the engine is Gatling (a forked JVM).
   */
  public static CpuPinning of(Scenario scenario) {
    Cpus cpus = scenario.cpus();
    if (cpus == null || !cpus.any()) {
      return new CpuPinning(new Cpus(null, null, null), false);
    }
    return new CpuPinning(
        cpus, cpus.load() != null && scenario.workload().engine() != Engine.GATLING);
  }

  /** Pins this process (every thread) to the load CPUs when it is the load generator. */
  public void pinThisProcess() {
    if (selfPinned) {
      pin(ProcessHandle.current().pid(), cpus.load());
    }
  }

  /** How many CPUs target processes get: the targets role's count, else {@code fallback}. */
  public int targetCpus(int fallback) {
    BitSet t = cpus.targets() == null ? null : Cpus.parse(cpus.targets());
    return t == null ? fallback : t.cardinality();
  }

  /**
   * Checks that {@code taskset} exists and every CPU of {@code cpus} is online; throws a
   * ConfigException naming each bad {@code cpus.<role>}.
   */
  public static void check(Cpus cpus, String source) {
    if (cpus == null || !cpus.any()) {
      return;
    }
    List<ConfigError> errors = new ArrayList<>();
    BitSet online = onlineCpus();
    String onlineText = format(online);
    checkRole(errors, "cpus.load", cpus.load(), online, onlineText);
    checkRole(errors, "cpus.targets", cpus.targets(), online, onlineText);
    checkRole(errors, "cpus.backends", cpus.backends(), online, onlineText);
    if (errors.isEmpty() && !tasksetAvailable()) {
      errors.add(
          new ConfigError(
              "cpus",
              "taskset not found (expected: taskset on PATH, from the Debian package util-linux,"
                  + " or no cpus section)"));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(source, errors);
    }
  }

  private static void checkRole(
      List<ConfigError> errors, String path, String list, BitSet online, String onlineText) {
    if (list == null) {
      return;
    }
    BitSet wanted = Cpus.parse(list);
    if (wanted == null) {
      errors.add(new ConfigError(path, "'" + list + "' (expected: " + Cpus.EXPECTED + ")"));
      return;
    }
    BitSet missing = (BitSet) wanted.clone();
    missing.andNot(online);
    if (!missing.isEmpty()) {
      errors.add(
          new ConfigError(
              path,
              "'"
                  + list
                  + "': CPU "
                  + format(missing)
                  + " not online (expected: CPUs of this machine, "
                  + onlineText
                  + ")"));
    }
  }

  /** The roles' CPU lists as given, for manifest.json; empty when nothing is pinned. */
  public Cpus cpus() {
    return cpus;
  }

  /** Whether anything is pinned. */
  public boolean any() {
    return cpus.any();
  }

  /** {@code command} for a target process. */
  public List<String> targets(List<String> command) {
    return wrap(role(cpus.targets()), command);
  }

  /** {@code command} for the mock backends process. */
  public List<String> backends(List<String> command) {
    return wrap(role(cpus.backends()), command);
  }

  /** {@code command} for an external load generator (the Gatling JVM). */
  public List<String> load(List<String> command) {
    return selfPinned ? command : wrap(cpus.load(), command);
  }

  /** The role's CPUs, every online CPU when the role is unpinned but this process is pinned. */
  private String role(String list) {
    if (list != null) {
      return list;
    }
    return selfPinned ? format(onlineCpus()) : null;
  }

  /** {@code command} prefixed with {@code taskset -c list}, or unchanged when list is null. */
  public static List<String> wrap(String list, List<String> command) {
    if (list == null) {
      return command;
    }
    List<String> c = new ArrayList<>(command.size() + 3);
    c.add("taskset");
    c.add("-c");
    c.add(list);
    c.addAll(command);
    return c;
  }

  /** Pins every thread of process {@code pid} to {@code list}. */
  static void pin(long pid, String list) {
    List<String> cmd = List.of("taskset", "-a", "-p", "-c", list, Long.toString(pid));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "cannot pin process " + pid + " to CPUs " + list + ": " + out.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run taskset: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pinning process " + pid, e);
    }
  }

  /** The CPUs the kernel has online (from sysfs; all available processors when unreadable). */
  static BitSet onlineCpus() {
    try {
      BitSet online = Cpus.parse(Files.readString(ONLINE).strip());
      if (online != null) {
        return online;
      }
    } catch (IOException | UncheckedIOException e) {
      // not Linux sysfs: fall back below
    }
    BitSet all = new BitSet();
    all.set(0, Runtime.getRuntime().availableProcessors());
    return all;
  }

  /** {@code cpus} as a taskset list, e.g. {@code 0-1,4}. */
  static String format(BitSet cpus) {
    StringBuilder sb = new StringBuilder();
    int i = cpus.nextSetBit(0);
    while (i >= 0) {
      int end = cpus.nextClearBit(i) - 1;
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(i);
      if (end > i) {
        sb.append('-').append(end);
      }
      i = cpus.nextSetBit(end + 1);
    }
    return sb.toString();
  }

  private static boolean tasksetAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "taskset"))) {
        return true;
      }
    }
    return false;
  }
}
