package dev.kumaforge.load.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  @Test
  void parsesEventsSplitAtEveryByte() {
    String stream =
        ": keep-alive comment\n"
            + "event: content_block_delta\r\n"
            + "data: {\"a\":1}\r\n\r\n"
            + "data: line1\n"
            + "data:line2\n\n"
            + "data: [DONE]\n\n"
            + "data: partial-without-blank-line\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int split = 1; split <= bytes.length; split++) {
      List<String> events = new ArrayList<>();
      SseParser p = new SseParser((e, d) -> events.add(e + "|" + d));
      for (int i = 0; i < bytes.length; i += split) {
        byte[] part = new byte[Math.min(split, bytes.length - i)];
        System.arraycopy(bytes, i, part, 0, part.length);
        p.feed(part);
      }
      assertThat(events)
          .containsExactly("content_block_delta|{\"a\":1}", "null|line1\nline2", "null|[DONE]");
    }
  }

  @Test
  void classifiesOpenAiAndAnthropicEvents() {
    assertThat(StreamEvents.classify("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}").content())
        .isTrue();
    assertThat(
            StreamEvents.classify("{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}").content())
        .isFalse();
    assertThat(StreamEvents.classify("{\"choices\":[],\"usage\":{\"completion_tokens\":7}}"))
        .isEqualTo(new StreamEvents.Info(false, 7));
    assertThat(
            StreamEvents.classify(
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")
                .content())
        .isTrue();
    assertThat(
            StreamEvents.classify(
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}"))
        .isEqualTo(new StreamEvents.Info(false, 15));
    assertThat(StreamEvents.classify("[DONE]"))
        .isEqualTo(new StreamEvents.Info(false, -1, true, false));
    assertThat(StreamEvents.classify("{\"type\":\"message_stop\"}").terminal()).isTrue();
    assertThat(
            StreamEvents.classify("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}")
                .error())
        .isTrue();
    assertThat(
            StreamEvents.classify("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}")
                .error())
        .isTrue();
    assertThat(StreamEvents.classify("{not json")).isEqualTo(new StreamEvents.Info(false, -1));
  }
}
