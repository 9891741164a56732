package dev.kumaforge.gateway.ai.context;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.gateway.internal.LettuceTransport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Sessions in Redis (Lettuce, asynchronous), so gateway replicas continue each other's
 * conversations: one JSON value per session, {@code {"consumer":..,"messages":[..]}}, expiring
 * after the TTL without use.
 */
public final class RedisSessionStore implements SessionStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> commands;
  private final String prefix;
  private final Duration ttl;

  /** Connects to {@code uri}; throws when Redis cannot be reached. */
  public RedisSessionStore(String uri, Duration timeout, String prefix, Duration ttl) {
    LettuceTransport.withoutIoUring();
    RedisURI u = RedisURI.create(uri);
    u.setTimeout(timeout);
    this.client = RedisClient.create(u);
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
    this.commands = connection.async();
    this.prefix = prefix;
    this.ttl = ttl;
  }

  @Override
  public CompletionStage<Session> get(String id) {
    String key = prefix + id;
    return commands
        .get(key)
        .thenCompose(
            v ->
                commands
                    .pexpire(key, ttl.toMillis())
                    .thenApply(ok -> v == null ? null : decode(v)));
  }

  @Override
  public CompletionStage<Void> put(String id, Session session) {
    return commands
        .set(prefix + id, encode(session), SetArgs.Builder.px(ttl.toMillis()))
        .thenApply(ok -> null);
  }

  static String encode(Session s) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("consumer", s.consumer());
    ArrayNode ms = root.putArray("messages");
    s.messages().forEach(ms::add);
    return root.toString();
  }

  static Session decode(String text) {
    try {
      JsonNode root = MAPPER.readTree(text);
      List<JsonNode> ms = new ArrayList<>();
      root.path("messages").forEach(ms::add);
      return new Session(root.path("consumer").asText(), ms);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored session is not valid JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
