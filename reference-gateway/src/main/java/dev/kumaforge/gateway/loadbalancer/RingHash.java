package dev.kumaforge.gateway.loadbalancer;

import dev.kumaforge.gateway.config.Backend;
import dev.kumaforge.gateway.upstream.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Cookie;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;

/**
 * Consistent hashing on a header or cookie (session affinity): 100 ring points per unit of weight;
 * the request goes to the first available endpoint clockwise from its hash; no hash value: random.
 */
final class RingHash implements LoadBalancer {
  private static final int POINTS_PER_WEIGHT = 100;

  private final long[] ring;
  private final int[] owner;
  private final Backend.HashPolicy[] policies;

  RingHash(Endpoint[] endpoints, Backend.RingHash config) {
    this.policies = config.hashPolicies().toArray(Backend.HashPolicy[]::new);
    int total = 0;
    for (Endpoint e : endpoints) {
      total += Math.min(e.weight(), 100) * POINTS_PER_WEIGHT;
    }
    long[][] points = new long[total][];
    int k = 0;
    for (int i = 0; i < endpoints.length; i++) {
      int n = Math.min(endpoints[i].weight(), 100) * POINTS_PER_WEIGHT;
      for (int j = 0; j < n; j++) {
        points[k++] = new long[] {hash(endpoints[i].authority() + "#" + j), i};
      }
    }
    Arrays.sort(points, (a, b) -> Long.compare(a[0], b[0]));
    ring = new long[total];
    owner = new int[total];
    for (int i = 0; i < total; i++) {
      ring[i] = points[i][0];
      owner[i] = (int) points[i][1];
    }
  }

  /** 64-bit FNV-1a, then a finalizer mix. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public Endpoint pick(HttpRequest request, Endpoint[] endpoints, long now) {
    String key = key(request);
    int start;
    if (key == null) {
      start = ThreadLocalRandom.current().nextInt(ring.length);
    } else {
      int idx = Arrays.binarySearch(ring, hash(key));
      start = idx >= 0 ? idx : -idx - 1;
    }
    for (int i = 0; i < ring.length; i++) {
      Endpoint e = endpoints[owner[(start + i) % ring.length]];
      if (e.health().available(now)) {
        return e;
      }
    }
    return null;
  }

  private String key(HttpRequest request) {
    for (Backend.HashPolicy p : policies) {
      if (p.type() == Backend.HashType.Header) {
        for (HttpHeader h : request.getHeaders()) {
          if (h.name().equalsIgnoreCase(p.header().name())) {
            return h.value();
          }
        }
      } else {
        for (HttpHeader h : request.getHeaders()) {
          if (h instanceof Cookie c) {
            for (HttpCookiePair pair : c.getCookies()) {
              if (pair.name().equals(p.cookie().name())) {
                return pair.value();
              }
            }
          }
        }
      }
    }
    return null;
  }
}
