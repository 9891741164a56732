package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JVM-wide settings {@code forge}'s main applies before anything else runs. */
class ForgeJvmDefaultsTest {
  private static final String LEAK = "io.netty.leakDetection.level";
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(LEAK);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(LEAK);
    } else {
      System.setProperty(LEAK, saved);
    }
  }

  @Test
  void nettyLeakDetectionIsOffWhenNothingIsSet() {
    System.clearProperty(LEAK);
    Forge.nettyLeakDetectionOffUnlessSet();
    assertThat(System.getProperty(LEAK)).isEqualTo("disabled");
  }

  @Test
  void anExplicitLeakDetectionLevelWins() {
    System.setProperty(LEAK, "paranoid");
    Forge.nettyLeakDetectionOffUnlessSet();
    assertThat(System.getProperty(LEAK)).isEqualTo("paranoid");
  }
}
