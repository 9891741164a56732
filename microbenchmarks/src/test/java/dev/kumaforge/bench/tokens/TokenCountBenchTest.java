package dev.kumaforge.bench.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenCountBenchTest {
  static int count(String encoding, String prompt) {
    TokenCountBench bench = new TokenCountBench();
    bench.encoding = encoding;
    bench.prompt = prompt;
    bench.setUp();
    return bench.countTokens();
  }

  @Test
  void countsEveryParameterCombination() {
    int shortO200k = count("o200k_base", "short");
    int shortCl100k = count("cl100k_base", "short");
    int longO200k = count("o200k_base", "long");
    int longCl100k = count("cl100k_base", "long");
    assertThat(shortO200k).isBetween(10, 30);
    assertThat(shortCl100k).isBetween(10, 30);
    assertThat(longO200k).isBetween(2_500, 8_000);
    assertThat(longCl100k).isBetween(2_500, 8_000);
  }

  @Test
  void longPromptIsDeterministic() {
    assertThat(Prompts.LONG)
        .hasSizeGreaterThanOrEqualTo(16_000)
        .isEqualTo(Prompts.longPrompt(16_000));
  }

  @Test
  void unknownParametersAreNamed() {
    assertThatThrownBy(() -> count("p51k", "short")).hasMessageContaining("encoding: 'p51k'");
    assertThatThrownBy(() -> count("o200k_base", "medium"))
        .hasMessageContaining("prompt: 'medium'");
  }
}
