package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.auth.TestTokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LLM routes use the route authenticator: JWT consumers, mapped to configured limits or not. */
class AiAuthIT {
  @TempDir Path dir;

  @Test
  void jwtConsumersGetTheLimitsOfTheConsumerTheyName() throws Exception {
    Path secret = dir.resolve("hs.secret");
    Files.writeString(secret, TestTokens.SECRET);
    String auth =
        """
        authentication:
          jwt:
            providers:
              - {name: hs, issuer: "%s", secretFile: "%s"}
        """
            .formatted(TestTokens.ISSUER, secret);
    String chat = AiTranslationIT.CHAT.formatted("gpt-4o-mini", "");
    try (AiFixture f = new AiFixture("    limits: {rpm: 1}\n", AiTranslationIT.CATALOG + auth)) {
      String teamA = TestTokens.hs256(TestTokens.claims("team-a", Instant.now()).build());
      assertThat(f.chat(teamA, chat).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = f.chat(teamA, chat);
      assertThat(limited.statusCode()).as("team-a's rpm applies").isEqualTo(429);

      String service = TestTokens.hs256(TestTokens.claims("svc-report", Instant.now()).build());
      assertThat(f.chat(service, chat).statusCode()).isEqualTo(200);
      assertThat(f.chat(service, chat).statusCode()).as("no limits configured").isEqualTo(200);
      boolean listed = false;
      for (JsonNode r : AiFixture.parse(f.gw.adminGet("/ai/usage").body()).path("usage")) {
        listed |= r.path("consumer").asText().equals("svc-report");
      }
      assertThat(listed).isTrue();

      HttpResponse<String> bad = f.chat(TestTokens.tamper(service), chat);
      assertThat(bad.statusCode()).isEqualTo(401);
      assertThat(AiFixture.parse(bad.body()).at("/error/code").asText())
          .isEqualTo("invalid_api_key");
      assertThat(bad.body()).doesNotContain(service.substring(service.lastIndexOf('.') + 1));
      assertThat(f.chat(AiFixture.KEY_B, chat).statusCode()).isEqualTo(200);
    }
  }
}
