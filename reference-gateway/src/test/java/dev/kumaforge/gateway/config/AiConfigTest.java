package dev.kumaforge.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AiConfigTest {
  static final String BASE =
      """
      listeners:
        public: {address: "127.0.0.1:0"}
        admin: {address: "127.0.0.1:0"}
      backends:
        - name: openai
          endpoints: [{address: "127.0.0.1:1"}]
      routes:
        - name: llm
          llm: true
      """;

  @Test
  void theExampleLoadsAndItsHashesMatchTheDocumentedKeys() {
    GatewayConfig c = GatewayConfig.load(Path.of("examples/ai-gateway.yaml"));
    assertThat(c.listeners().get("public").address()).isEqualTo("127.0.0.1:18090");
    assertThat(c.routes().get(0).llm()).isTrue();
    assertThat(ApiKeyHash.matches(c.consumers().get(0).apiKeys().get(0), "sk-forge-team-a"))
        .isTrue();
    assertThat(ApiKeyHash.matches(c.consumers().get(1).apiKeys().get(0), "sk-forge-team-b"))
        .isTrue();
    assertThat(c.ai().model("fast").strategy()).isEqualTo(AiConfig.Strategy.lowestCost);
  }

  @Test
  void referenceDocumentsTheAiKeys() {
    GatewayConfig c = GatewayConfig.load(Path.of("src/main/resources/reference.yaml"));
    assertThat(c.ai().sessions().header()).isEqualTo("x-session-id");
    assertThat(c.consumers()).hasSize(2);
    assertThat(c.ai().model("gpt-4o-mini").fallbacks()).containsExactly("claude-haiku");
  }

  @Test
  void llmRoutesNeedConsumersAndACatalog() {
    assertThatThrownBy(() -> GatewayConfig.parse(BASE, "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("- ai: missing")
        .hasMessageContaining("- consumers: []");
  }

  @Test
  void plaintextKeysUnknownBackendsAndFallbacksAreNamed() {
    String yaml =
        BASE
            + """
            consumers:
              - name: a
                apiKeys: [sk-plaintext-key]
                limits: {rpm: -1}
            ai:
              models:
                - name: m
                  deployments: [{backend: nope, model: x, maxOutput: 10, contextWindow: 5}]
                  fallbacks: [ghost]
            """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("consumers[0].apiKeys[0]: (not a hash)")
        .hasMessageNotContaining("sk-plaintext-key")
        .hasMessageContaining("consumers[0].limits.rpm: -1")
        .hasMessageContaining("ai.models[0].deployments[0].backend: 'nope'")
        .hasMessageContaining("ai.models[0].deployments[0].maxOutput: 10")
        .hasMessageContaining("ai.models[0].fallbacks[0]: 'ghost'");
  }

  @Test
  void summarizeNeedsASummarizerModelFromTheCatalog() {
    String hash = ApiKeyHash.hash("k");
    String yaml =
        BASE
            + "consumers: [{name: a, apiKeys: [\""
            + hash
            + "\"]}]\n"
            + """
            ai:
              sessions:
                trimming: {strategy: summarize}
              models:
                - name: m
                  deployments: [{backend: openai, model: x}]
            """;
    assertThatThrownBy(() -> GatewayConfig.parse(yaml, "t"))
        .hasMessageContaining("ai.sessions.trimming.summarizer: missing required key");
    String ghost =
        yaml.replace(
            "{strategy: summarize}",
            "{strategy: summarize, summarizer: {model: ghost, maxTokens: 0}}");
    assertThatThrownBy(() -> GatewayConfig.parse(ghost, "t"))
        .hasMessageContaining("ai.sessions.trimming.summarizer.model: 'ghost'")
        .hasMessageContaining("ai.sessions.trimming.summarizer.maxTokens: 0");
    AiConfig.Sessions ok =
        GatewayConfig.parse(
                yaml.replace(
                    "{strategy: summarize}", "{strategy: summarize, summarizer: {model: m}}"),
                "t")
            .ai()
            .sessions();
    assertThat(ok.trimming().summarizer().maxTokens()).isEqualTo(256);
    assertThat(ok.trimming().summarizer().prompt()).isEqualTo(AiConfig.Summarizer.DEFAULT_PROMPT);
  }
}
