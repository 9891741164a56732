package dev.kumaforge.gateway.ai.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TranslateTest {
  @Test
  void openAiRequestBecomesAnthropic() {
    String openAi =
        "{\"model\":\"x\",\"temperature\":0.2,\"stop\":\"END\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"Be terse.\"},"
            + "{\"role\":\"user\",\"content\":\"Weather?\"},"
            + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
            + "{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{\\\"c\\\":\\\"P\\\"}\"}},"
            + "{\"id\":\"t2\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"sunny\"},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"t2\",\"content\":\"rain\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\",\"parameters\":{\"type\":\"object\"}}}],"
            + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"w\"}}}";
    String out = Anthropic.request(Wire.parse(openAi), "claude", 100, true).toString();
    assertThat(out)
        .isEqualTo(
            "{\"model\":\"claude\",\"max_tokens\":100,\"system\":\"Be terse.\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather?\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"w\",\"input\":{\"c\":\"P\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"w\",\"input\":{}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"sunny\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"t2\",\"content\":\"rain\"}]}],"
                + "\"temperature\":0.2,\"stop_sequences\":[\"END\"],"
                + "\"tools\":[{\"name\":\"w\",\"input_schema\":{\"type\":\"object\"}}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"w\"},\"stream\":true}");
  }

  @Test
  void stopReasons() {
    assertThat(AnthropicToOpenAiStream.finishReason("end_turn")).isEqualTo("stop");
    assertThat(AnthropicToOpenAiStream.finishReason("max_tokens")).isEqualTo("length");
    assertThat(AnthropicToOpenAiStream.finishReason("tool_use")).isEqualTo("tool_calls");
    assertThat(AnthropicToOpenAiStream.finishReason("stop_sequence")).isEqualTo("stop");
  }

  @Test
  void framerFindsEventsWhateverTheChunking() {
    String text =
        "event: a\ndata: {\"x\":\"é\"}\n\n: comment\n\ndata: one\ndata: two\n\ndata: [DONE]\n\n";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int split = 1; split < bytes.length; split++) {
      SseFramer f = new SseFramer();
      List<SseFramer.Event> events = new ArrayList<>();
      for (int i = 0; i < bytes.length; i += split) {
        events.addAll(f.feed(ByteString.fromArray(bytes, i, Math.min(split, bytes.length - i))));
      }
      assertThat(events)
          .containsExactly(
              new SseFramer.Event("a", "{\"x\":\"é\"}"),
              new SseFramer.Event(null, "one\ntwo"),
              new SseFramer.Event(null, "[DONE]"));
      assertThat(f.hasRemainder()).isFalse();
    }
  }
}
