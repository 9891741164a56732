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

  /** Chunks of every shape: the streaming read must give exactly what the JSON tree gives. */
  static final List<String> CHUNKS =
      List.of(
          "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
              + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
              + "\"finish_reason\":null}],\"usage\":null}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hé \\\"q\\\" \\u00e9\\n\"}}]}",
          "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}}]}",
          "{\"choices\":[{\"delta\":{\"content\":null}}]}",
          "{\"choices\":[{\"delta\":{\"content\":42}}]}",
          "{\"choices\":[{\"delta\":{\"content\":[\"x\"]}}]}",
          "{\"choices\":[{\"delta\":\"text\"}]}",
          "{\"choices\":[\"text\",{\"delta\":{\"content\":\"second\"}}]}",
          "{\"choices\":{\"delta\":{\"content\":\"not an array\"}}}",
          "{\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":20,"
              + "\"total_tokens\":41}}",
          "{\"usage\":{\"prompt_tokens\":7}}",
          "{\"usage\":{\"prompt_tokens\":\"7\",\"completion_tokens\":2.9}}",
          "{\"usage\":{\"prompt_tokens\":99999999999999999999999}}",
          "{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":2}}",
          "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":3,"
              + "\"completion_tokens\":4}}",
          "{\"choices\":[{\"delta\":{\"content\":\"first\",\"content\":\"\"}}]}",
          "{\"choices\":[{\"delta\":{\"content\":\"a\"},\"delta\":{}}]}",
          "{\"choices\":[],\"choices\":[{\"delta\":{\"content\":\"b\"}}]}",
          "{\"usage\":null,\"usage\":{\"prompt_tokens\":5}}",
          "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"t1\",\"function\":"
              + "{\"name\":\"w\",\"arguments\":\"\"}}]}}]}",
          "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
              + "{\"arguments\":\"{\\\"c\\\":1}\"}}]}}]}",
          "{\"choices\":[{\"delta\":{\"tool_calls\":\"no\"}}]}",
          "{\"error\":{\"message\":\"overloaded\"}}",
          "{\"error\":null}",
          "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing",
          "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]",
          "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"n\":01}",
          "{\"s\":\"bad \\q escape\",\"choices\":[]}",
          "[1,2]",
          "42",
          "\"text\"",
          "",
          "   ",
          "not json");

  @Test
  void openAiChunksReadWithoutATreeGiveWhatTheTreeGives() {
    for (boolean wantsUsage : new boolean[] {false, true}) {
      OpenAiStream scanned = new OpenAiStream(wantsUsage);
      OpenAiStream tree = new OpenAiStream(wantsUsage);
      for (String chunk : CHUNKS) {
        OpenAiStream one = new OpenAiStream(wantsUsage);
        OpenAiStream oneTree = new OpenAiStream(wantsUsage);
        List<Frame> a = one.onEvent(new SseFramer.Event(null, chunk));
        assertThat(a).as(chunk).isEqualTo(oneTree.onTree(chunk));
        assertThat(one.usage()).as(chunk).isEqualTo(oneTree.usage());
        assertThat(one.upstreamError()).as(chunk).isEqualTo(oneTree.upstreamError());
        assertThat(one.contentEvents()).as(chunk).isEqualTo(oneTree.contentEvents());
        assertThat(one.assistantMessage()).as(chunk).isEqualTo(oneTree.assistantMessage());
        assertThat(scanned.onEvent(new SseFramer.Event(null, chunk)))
            .as(chunk)
            .isEqualTo(tree.onTree(chunk));
      }
      assertThat(scanned.usage()).isEqualTo(tree.usage());
      assertThat(scanned.contentEvents()).isEqualTo(tree.contentEvents());
      assertThat(scanned.assistantMessage()).isEqualTo(tree.assistantMessage());
      assertThat(scanned.upstreamError()).isEqualTo(tree.upstreamError());
    }
  }

  /**
   * Without a session to store the answer in, the translator keeps no text for the length of the
   * stream; what reaches the client and the accounting is the same.
   */
  @Test
  void openAiStreamWithoutTheMessageSendsAndCountsTheSame() {
    for (boolean wantsUsage : new boolean[] {false, true}) {
      OpenAiStream kept = new OpenAiStream(wantsUsage, true);
      OpenAiStream light = new OpenAiStream(wantsUsage, false);
      for (String chunk : CHUNKS) {
        SseFramer.Event e = new SseFramer.Event(null, chunk);
        assertThat(light.onEvent(e)).as(chunk).isEqualTo(kept.onEvent(e));
        assertThat(light.onTree(chunk)).as(chunk).isEqualTo(kept.onTree(chunk));
      }
      assertThat(light.usage()).isEqualTo(kept.usage());
      assertThat(light.contentEvents()).isEqualTo(kept.contentEvents()).isPositive();
      assertThat(light.upstreamError()).isEqualTo(kept.upstreamError());
      assertThat(kept.assistantMessage().path("content").asText()).isNotEmpty();
      assertThat(light.assistantMessage().path("content").asText("")).isEmpty();
      assertThat(light.assistantMessage().has("tool_calls")).isFalse();
    }
  }

  @Test
  void framerSplitsExactlyAsTheFormerRegexFramerWhateverTheBytesAndChunking() {
    String[] pieces = {
      "data:",
      "data: ",
      "event:",
      "event: ",
      "x",
      "{\"a\":1}",
      "\n",
      "\r",
      "\r\n",
      "\n\n",
      " ",
      ":c",
      "é",
      "id: 7"
    };
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      int n = 1 + random.nextInt(24);
      for (int i = 0; i < n; i++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      SseFramer f = new SseFramer();
      RegexSseFramer former = new RegexSseFramer();
      List<SseFramer.Event> got = new ArrayList<>();
      List<SseFramer.Event> expected = new ArrayList<>();
      for (int i = 0; i < bytes.length; ) {
        int len = Math.min(1 + random.nextInt(8), bytes.length - i);
        ByteString chunk = ByteString.fromArray(bytes, i, len);
        got.addAll(f.feed(chunk));
        expected.addAll(former.feed(chunk));
        i += len;
      }
      assertThat(got).as(text.toString()).isEqualTo(expected);
      assertThat(f.hasRemainder()).as(text.toString()).isEqualTo(former.hasRemainder());
    }
  }

  /** The framer as it was (regular-expression line split), the reference for the one above. */
  static final class RegexSseFramer {
    private ByteString buffer = ByteString.emptyByteString();

    List<SseFramer.Event> feed(ByteString bytes) {
      buffer = buffer.concat(bytes);
      List<SseFramer.Event> out = new ArrayList<>(2);
      int start = 0;
      int n = buffer.size();
      for (int i = 0; i + 1 < n; i++) {
        if (buffer.apply(i) == '\n'
            && (buffer.apply(i + 1) == '\n'
                || (buffer.apply(i + 1) == '\r' && i + 2 < n && buffer.apply(i + 2) == '\n'))) {
          SseFramer.Event e = parse(buffer.slice(start, i).decodeString(StandardCharsets.UTF_8));
          if (e != null) {
            out.add(e);
          }
          i += buffer.apply(i + 1) == '\r' ? 2 : 1;
          start = i + 1;
        }
      }
      if (start > 0) {
        buffer = buffer.drop(start);
      }
      return out;
    }

    boolean hasRemainder() {
      for (int i = 0; i < buffer.size(); i++) {
        byte b = buffer.apply(i);
        if (b != '\n' && b != '\r' && b != ' ') {
          return true;
        }
      }
      return false;
    }

    private static SseFramer.Event parse(String block) {
      String event = null;
      StringBuilder data = null;
      for (String line : block.split("\r?\n")) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          String d = line.substring(5);
          d = d.startsWith(" ") ? d.substring(1) : d;
          if (data == null) {
            data = new StringBuilder(d);
          } else {
            data.append('\n').append(d);
          }
        }
      }
      return data == null && event == null
          ? null
          : new SseFramer.Event(event, data == null ? "" : data.toString());
    }
  }
}
