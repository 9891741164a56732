package dev.kumaforge.gateway.harden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/a/b, /a/b",
    "/a/b/, /a/b/",
    "//admin, /admin",
    "/a//b///c, /a/b/c",
    "/pub/../admin, /admin",
    "/../../admin, /admin",
    "/%2e%2e/admin, /admin",
    "/a/%2E/b, /a/b",
    "/a/.%2e/b, /b",
    "/a/b/.., /a/",
    "/a/., /a/",
    "'', /",
    "a/b, /a/b",
    "/a%20b/.well-known, /a%20b/.well-known"
  })
  void normalises(String in, String out) throws Exception {
    assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/pub%2F..%2Fadmin", "/a%2fb", "/a%5Cb", "/a\\b", "/a%00b"})
  void refusesEncodedSeparatorsAndNul(String in) {
    assertThatThrownBy(() -> PathNormalizer.normalize(in))
        .isInstanceOf(PathNormalizer.Refused.class);
  }
}
