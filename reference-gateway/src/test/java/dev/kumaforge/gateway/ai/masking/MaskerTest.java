package dev.kumaforge.gateway.ai.masking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskerTest {
  final Masker all = new Masker(EnumSet.allOf(Masker.Kind.class));

  @Test
  void masksEachKind() {
    Map<Masker.Kind, Integer> counts = new EnumMap<>(Masker.Kind.class);
    String text =
        "Mail ada@example.com, call +44 20 7946 0958, card 4111 1111 1111 1111, "
            + "IBAN DE89 3704 0044 0532 0130 00, key sk-proj-abcdefghijklmnop1234.";
    assertThat(all.mask(text, counts))
        .isEqualTo("Mail [EMAIL], call [PHONE], card [CARD], IBAN [IBAN], key [API_KEY].");
    assertThat(counts).hasSize(5);
  }

  @Test
  void theShortestMatchOfEachKindPassesThePrecheck() {
    // each at the minimum the cheap pre-scan allows: 8 phone digits, 13 card digits
    assertThat(new Masker(EnumSet.of(Masker.Kind.phone)).mask("call 1234 5678 now", null))
        .isEqualTo("call [PHONE] now");
    assertThat(new Masker(EnumSet.of(Masker.Kind.card)).mask("card 4222222222222.", null))
        .isEqualTo("card [CARD].");
    assertThat(all.mask("x@y.io", null)).isEqualTo("[EMAIL]");
    assertThat(all.mask("sk-0123456789abcdef", null)).isEqualTo("[API_KEY]");
    assertThat(new Masker(EnumSet.of(Masker.Kind.iban)).mask("NO93 8601 1117 947", null))
        .isEqualTo("[IBAN]");
    assertThat(Masker.mayMatch(Masker.Kind.phone, 7, true, true)).isFalse();
    assertThat(Masker.mayMatch(Masker.Kind.card, 12, true, true)).isFalse();
    assertThat(Masker.mayMatch(Masker.Kind.email, 99, false, true)).isFalse();
    assertThat(Masker.mayMatch(Masker.Kind.apiKey, 99, true, false)).isFalse();
  }

  @Test
  void checksumsAvoidFalsePositives() {
    assertThat(all.mask("order 4111 1111 1111 1112 shipped", null)).contains("[PHONE]");
    assertThat(new Masker(EnumSet.of(Masker.Kind.card)).mask("4111 1111 1111 1112", null))
        .isEqualTo("4111 1111 1111 1112");
    assertThat(all.mask("DE89 3704 0044 0532 0130 01", null)).doesNotContain("[IBAN]");
    assertThat(all.mask("version 1.2.3 in 2024", null)).isEqualTo("version 1.2.3 in 2024");
    assertThat(Masker.luhn("4111111111111111")).isTrue();
    assertThat(Masker.ibanValid("GB82WEST12345698765432")).isTrue();
  }

  @Test
  void onlyTheConfiguredKinds() {
    assertThat(new Masker(EnumSet.of(Masker.Kind.email)).mask("a@b.io +1 555 123 4567", null))
        .isEqualTo("[EMAIL] +1 555 123 4567");
  }
}
