package dev.kumaforge.load.gatling.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ZipfPickerTest {
  @Test
  void skewFavoursLowRanksAndSeedsRepeat() {
    int[] counts = new int[11];
    ZipfPicker p = new ZipfPicker(10, 1.0, 7);
    for (int i = 0; i < 100_000; i++) {
      counts[p.next()]++;
    }
    assertThat(counts[0]).isZero();
    // weight 1/k over H(10) = 2.929: rank 1 ~ 34 %, rank 10 ~ 3.4 %
    assertThat(counts[1]).isBetween(33_000, 35_300);
    assertThat(counts[10]).isBetween(3_000, 3_900);
    assertThat(counts[1]).isGreaterThan(counts[2]).isGreaterThan(counts[5]);

    ZipfPicker a = new ZipfPicker(50, 1.2, 1);
    ZipfPicker b = new ZipfPicker(50, 1.2, 1);
    for (int i = 0; i < 100; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }

  @Test
  void skewZeroIsUniform() {
    int[] counts = new int[5];
    ZipfPicker p = new ZipfPicker(4, 0.0, 3);
    for (int i = 0; i < 40_000; i++) {
      counts[p.next()]++;
    }
    for (int k = 1; k <= 4; k++) {
      assertThat(counts[k]).isBetween(9_400, 10_600);
    }
  }
}
