package dev.kumaforge.load.gatling.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kumaforge.load.engine.internal.StreamEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BODY =
      "{\"model\":\"m\",\"max_tokens\":50,\"messages\":["
          + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"Plan a trip.\"}]}";

  private static JsonNode messages(String body) throws Exception {
    return JSON.readTree(body).path("messages");
  }

  @Test
  void everyAnswerAndTheNextFollowUpJoinTheConversation() throws Exception {
    Conversation c = Conversation.start(BODY, List.of("Day two?", "Food?"), false);
    assertThat(messages(c.body())).hasSize(2);
    c.answered("Go to Lisbon.");
    JsonNode turn2 = messages(c.body());
    assertThat(turn2).hasSize(4);
    assertThat(turn2.get(2).path("role").asText()).isEqualTo("assistant");
    assertThat(turn2.get(2).path("content").asText()).isEqualTo("Go to Lisbon.");
    assertThat(turn2.get(3).path("content").asText()).isEqualTo("Day two?");
    c.answered("Sintra.");
    c.answered("Pastéis.");
    JsonNode turn4 = messages(c.body());
    assertThat(turn4).hasSize(8);
    // follow-ups cycle; the rest of the body is kept
    assertThat(turn4.get(5).path("content").asText()).isEqualTo("Food?");
    assertThat(turn4.get(7).path("content").asText()).isEqualTo("Day two?");
    assertThat(JSON.readTree(c.body()).path("max_tokens").asInt()).isEqualTo(50);
    assertThat(c.turns()).isEqualTo(3);
  }

  @Test
  void withAGatewayKeptSessionLaterTurnsSendOnlyTheNewMessage() throws Exception {
    Conversation c = Conversation.start(BODY, List.of("Day two?"), true);
    assertThat(messages(c.body())).hasSize(2);
    c.answered("Go to Lisbon.");
    JsonNode turn2 = messages(c.body());
    assertThat(turn2).hasSize(1);
    assertThat(turn2.get(0).path("content").asText()).isEqualTo("Day two?");
    assertThat(c.messageCount()).isEqualTo(4);
  }

  @Test
  void answersAreReadFromEitherProvidersShape() {
    assertThat(
            Conversation.answerOf(
                "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hi!\"}}]}"))
        .isEqualTo("Hi!");
    assertThat(
            Conversation.answerOf(
                "{\"content\":[{\"type\":\"text\",\"text\":\"A\"},{\"type\":\"tool_use\"},"
                    + "{\"type\":\"text\",\"text\":\"B\"}]}"))
        .isEqualTo("AB");
    assertThat(Conversation.answerOf("{\"error\":{\"message\":\"x\"}}")).isEmpty();
    assertThat(Conversation.answerOf("not json")).isEmpty();
    assertThat(Conversation.answerOf(null)).isEmpty();
  }

  @Test
  void streamedTextIsReadFromContentEventsOnly() {
    assertThat(StreamEvents.text("{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}"))
        .isEqualTo("Hel");
    assertThat(
            StreamEvents.text(
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}"))
        .isEqualTo("lo");
    assertThat(StreamEvents.text("{\"choices\":[],\"usage\":{\"completion_tokens\":3}}")).isEmpty();
    assertThat(StreamEvents.text("[DONE]")).isEmpty();
  }

  @Test
  void bodiesWithoutMessagesAreRefusedWithAReason() {
    assertThatThrownBy(() -> Conversation.start("{\"prompt\":\"x\"}", List.of("y"), false))
        .hasMessageContaining("\"messages\" array");
    assertThatThrownBy(() -> Conversation.start("{", List.of("y"), false))
        .hasMessageContaining("must be JSON");
  }
}
