package dev.kumaforge.harness.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.load.scenario.Cpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** taskset pinning of real child processes, read back from /proc/PID/status. */
class CpuPinningIT {
  private static String allowedList(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    throw new AssertionError("no Cpus_allowed_list for " + pid);
  }

  private static Process sleeper(List<String> command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  @Test
  void wrappedCommandRunsOnTheGivenCpuOnly() throws Exception {
    BitSet online = CpuPinning.onlineCpus();
    String last = Integer.toString(online.length() - 1);
    Process p = sleeper(CpuPinning.wrap(last, List.of("sleep", "30")));
    try {
      // taskset execs the command in the same process once the affinity is set
      org.awaitility.Awaitility.await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () -> Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).startsWith("sleep"));
      assertThat(allowedList(p.pid())).isEqualTo(last);
    } finally {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void pinMovesEveryThreadOfARunningProcess() throws Exception {
    Process p = sleeper(List.of("sleep", "30"));
    try {
      assertThat(allowedList(p.pid())).isEqualTo(CpuPinning.format(CpuPinning.onlineCpus()));
      CpuPinning.pin(p.pid(), "0");
      assertThat(allowedList(p.pid())).isEqualTo("0");
    } finally {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void cpusThatAreNotOnlineAreNamedWithTheirRole() {
    assumeThat(CpuPinning.onlineCpus().cardinality()).isLessThan(4000);
    Cpus cpus = new Cpus("0", "4000", "0-4001");
    assertThatThrownBy(() -> CpuPinning.check(cpus, "s.yaml"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.errors())
                  .extracting(ConfigError::path)
                  .containsExactly("cpus.targets", "cpus.backends");
              assertThat(e.errors().get(0).message())
                  .contains("CPU 4000 not online", "CPUs of this machine");
              assertThat(e.errors().get(1).message()).contains("not online");
            });
  }

  @Test
  void formatsCpuSetsAsTasksetLists() {
    assertThat(CpuPinning.format(Cpus.parse("0,2-4,7"))).isEqualTo("0,2-4,7");
    assertThat(CpuPinning.format(Cpus.parse("3"))).isEqualTo("3");
    assertThat(CpuPinning.wrap(null, List.of("nginx"))).containsExactly("nginx");
    assertThat(CpuPinning.wrap("1", List.of("nginx")))
        .containsExactly("taskset", "-c", "1", "nginx");
  }
}
