package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;

/**
 * A named Redis server in the top-level {@code redis} section, used by shared rate limits.
 *
 * @param uri Lettuce URI such as {@code redis://127.0.0.1:6379/0}
 * @param connectTimeout deadline of each (re)connection attempt, default 1s
 * @param keyPrefix prefix of every key, default {@code forge:}
 */
public record RedisConnection(String uri, Duration connectTimeout, String keyPrefix)
    implements Validatable {
  public RedisConnection {
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
    keyPrefix = keyPrefix == null ? "forge:" : keyPrefix;
  }

  @Override
  public void validate(Validator v) {
    if (v.required(uri, "uri")) {
      v.check(
          uri.startsWith("redis://") || uri.startsWith("rediss://"),
          "uri",
          "'" + uri + "'",
          "redis://host:port[/db] or rediss://...");
    }
    GatewayConfig.positive(v, connectTimeout, "connectTimeout");
  }
}
