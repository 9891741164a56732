package dev.kumaforge.gateway.ai.translate;

/** Usage assembled from message_start (input) and message_delta (output) events. */
final class AnthropicUsage {
  long input = -1;
  long output = -1;

  Usage usage() {
    return input < 0 || output < 0 ? null : new Usage(input, output);
  }
}
