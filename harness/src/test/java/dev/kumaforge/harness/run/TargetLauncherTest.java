package dev.kumaforge.harness.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference gateway's JVM options with a target's jvmOptions and {@code
 * FORGE_GATEWAY_JAVA_OPTS}.
 */
class TargetLauncherTest {
  @Test
  void extraOptionsFollowTheDefaults() {
    assertThat(TargetLauncher.gatewayJvm(null)).isEqualTo(TargetLauncher.GATEWAY_JVM);
    assertThat(TargetLauncher.gatewayJvm("  ")).isEqualTo(TargetLauncher.GATEWAY_JVM);
    assertThat(TargetLauncher.gatewayJvm(" -Xms1g  -Xmx1g "))
        .containsExactly("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g");
  }

  @Test
  void aCollectorNamedThereReplacesTheDefaultOne() {
    assertThat(TargetLauncher.gatewayJvm("-Xmx2g -XX:+UseG1GC"))
        .containsExactly("-Xms512m", "-Xmx512m", "-Xmx2g", "-XX:+UseG1GC");
    assertThat(TargetLauncher.gatewayJvm("-XX:+UseZGC -XX:+ZGenerational"))
        .doesNotContain("-XX:+UseParallelGC")
        .contains("-XX:+UseZGC");
  }

  @Test
  void aTargetsOptionsFollowTheDefaultsAndMayNameTheCollector() {
    assertThat(TargetLauncher.gatewayJvmWith(List.of())).isEqualTo(TargetLauncher.GATEWAY_JVM);
    assertThat(TargetLauncher.gatewayJvmWith(List.of("-XX:+UseZGC", "-Xmx1g")))
        .containsExactly("-Xms512m", "-Xmx512m", "-XX:+UseZGC", "-Xmx1g");
  }
}
