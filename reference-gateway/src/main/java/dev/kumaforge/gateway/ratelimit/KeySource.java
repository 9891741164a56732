package dev.kumaforge.gateway.ratelimit;

import dev.kumaforge.gateway.config.Route;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Where a rate limit bucket's key comes from; one implementation per {@link Route.RateLimitKey}, so
 * further sources (an authenticated consumer, a SPIFFE id) plug in here.
 */
@FunctionalInterface
public interface KeySource {
  /** The bucket key of {@code request} from {@code clientIp} (may be null): never null. */
  String key(HttpRequest request, String clientIp);

  /** The source for {@code limit}'s key setting. */
  static KeySource of(Route.MeshRateLimit limit) {
    return switch (limit.key()) {
      case Route -> (request, ip) -> "";
      case ClientIp -> (request, ip) -> ip == null ? "" : ip;
      case Header -> {
        String name = limit.header();
        yield (request, ip) -> request.getHeader(name).map(HttpHeader::value).orElse("");
      }
    };
  }
}
