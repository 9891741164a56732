package dev.kumaforge.common.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durations() {
    assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofMinutes(3))).isEqualTo("3m");
    assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("expected: a duration");
    assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("'-5s'");
  }

  @Test
  void microsFormatting() {
    assertThat(Durations.formatMicros(812)).isEqualTo("812us");
    assertThat(Durations.formatMicros(1_234)).isEqualTo("1.23ms");
    assertThat(Durations.formatMicros(12_400)).isEqualTo("12.4ms");
    assertThat(Durations.formatMicros(1_250_000)).isEqualTo("1.25s");
  }

  @Test
  void rates() {
    assertThat(Rate.parse("200").perSecond()).isEqualTo(200);
    assertThat(Rate.parse("200/s").perSecond()).isEqualTo(200);
    assertThat(Rate.parse("1.5k/s").perSecond()).isEqualTo(1500);
    assertThat(Rate.parse("600/m").perSecond()).isEqualTo(10);
    assertThat(Rate.parse("200/s").toString()).isEqualTo("200/s");
    assertThatThrownBy(() -> Rate.parse("-3/s")).hasMessageContaining("expected: a rate");
    assertThatThrownBy(() -> Rate.parse("fast")).hasMessageContaining("'fast'");
  }

  @Test
  void sizes() {
    assertThat(DataSize.parse("512").bytes()).isEqualTo(512);
    assertThat(DataSize.parse("64KiB").bytes()).isEqualTo(65536);
    assertThat(DataSize.parse("10MB").bytes()).isEqualTo(10_000_000);
    assertThat(DataSize.parse("1GiB").bytes()).isEqualTo(1L << 30);
    assertThat(DataSize.ofBytes(10 * 1024 * 1024).toString()).isEqualTo("10MiB");
    assertThatThrownBy(() -> DataSize.parse("ten")).hasMessageContaining("expected: a size");
  }
}
