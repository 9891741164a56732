package dev.kumaforge.backends.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The wire format a provider speaks. */
public enum ProviderStyle {
  /** OpenAI style: {@code /v1/chat/completions}, {@code /v1/models}. */
  @JsonProperty("openai")
  OPENAI,
  /** Anthropic style: {@code /v1/messages}. */
  @JsonProperty("anthropic")
  ANTHROPIC;

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
