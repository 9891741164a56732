package dev.kumaforge.harness.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How forge authenticates to the reference gateway's admin listener ({@code GET /metrics}, {@code
 * POST /reload}). A gateway config with {@code listeners.admin.authentication.tokenHash} holds only
 * the salted hash of the admin token, so forge reads the token itself from the environment: {@code
 * FORGE_ADMIN_TOKEN}, or the file named by {@code FORGE_ADMIN_TOKEN_FILE} (surrounding white space
 * ignored), the token that {@code forge hash-key} turned into that hash. It is checked against the
 * hash before anything starts and sent as {@code Authorization: Bearer <token>}.
 *
 * <pre>{@code
 * AdminAccess admin = AdminAccess.of(gatewayConfigTree, System.getenv());
 * http.send(admin.authorize(HttpRequest.newBuilder(uri)).GET().build(), ofString());
 * }</pre>
 */
public final class AdminAccess {
  /** Environment variable holding the admin token. */
  public static final String TOKEN_ENV = "FORGE_ADMIN_TOKEN";

  /** Environment variable naming a file that holds the admin token. */
  public static final String TOKEN_FILE_ENV = "FORGE_ADMIN_TOKEN_FILE";

  /** No credentials: the admin listener is not protected. */
  public static final AdminAccess NONE = new AdminAccess(null);

  private final String token;

  private AdminAccess(String token) {
    this.token = token;
  }

  /**
   * The access for a gateway config tree: {@link #NONE} without {@code tokenHash}, else the token
   * from {@code env}.
   *
   * @throws IllegalArgumentException when the config requires a token and {@code env} has none, its
   *     file cannot be read, or it does not match the hash
   */
  public static AdminAccess of(JsonNode gatewayConfig, Map<String, String> env) {
    JsonNode hash =
        gatewayConfig.path("listeners").path("admin").path("authentication").path("tokenHash");
    if (!hash.isTextual()) {
      return NONE;
    }
    String token = env.get(TOKEN_ENV);
    String source = TOKEN_ENV;
    if ((token == null || token.isBlank()) && env.get(TOKEN_FILE_ENV) != null) {
      source = TOKEN_FILE_ENV + "=" + env.get(TOKEN_FILE_ENV);
      try {
        token = Files.readString(Path.of(env.get(TOKEN_FILE_ENV)));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read the admin token from " + source + ": " + e.getClass().getSimpleName(), e);
      }
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(
          "the gateway config protects its admin listener"
              + " (listeners.admin.authentication.tokenHash): set "
              + TOKEN_ENV
              + " (or "
              + TOKEN_FILE_ENV
              + ") to the admin token so forge can read /metrics and POST /reload");
    }
    token = token.strip();
    if (!ApiKeyHash.isValid(hash.asText()) || !ApiKeyHash.matches(hash.asText(), token)) {
      throw new IllegalArgumentException(
          "the admin token from "
              + source
              + " does not match listeners.admin.authentication.tokenHash");
    }
    return new AdminAccess(token);
  }

  /** Whether requests carry a token. */
  public boolean authenticated() {
    return token != null;
  }

  /** {@code builder} with the admin credentials, if any. */
  public HttpRequest.Builder authorize(HttpRequest.Builder builder) {
    return token == null ? builder : builder.header("Authorization", "Bearer " + token);
  }

  @Override
  public String toString() {
    return token == null ? "AdminAccess[none]" : "AdminAccess[bearer <redacted>]";
  }
}
