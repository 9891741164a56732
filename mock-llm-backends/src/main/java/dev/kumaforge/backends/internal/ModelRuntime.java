package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import dev.kumaforge.backends.config.Distribution;
import dev.kumaforge.backends.config.LatencyConfig;
import dev.kumaforge.backends.config.ModelConfig;
import dev.kumaforge.backends.config.OutputConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One served model: tokenizer, seeded latency and output model.
 *
 * <p>Each request draws from its own {@link SplittableRandom} seeded by (seed, model, request
 * number), so a given seed and request order always yield the same plans, whichever event loop
 * serves the request.
 */
final class ModelRuntime {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private final ModelConfig config;
  private final Encoding encoding;
  private final long seed;
  private final String[] words;
  private final AtomicLong requests = new AtomicLong();
  private final Slots slots;

  ModelRuntime(ModelConfig config, long seed) {
    this.config = config;
    this.encoding =
        REGISTRY
            .getEncoding(config.encoding())
            .orElseThrow(
                () -> new IllegalArgumentException("unknown encoding " + config.encoding()));
    this.seed = seed ^ mix(config.name().hashCode());
    this.words = splitWords(config.output().text());
    this.slots = new Slots(config.concurrency());
  }

  ModelConfig config() {
    return config;
  }

  Slots slots() {
    return slots;
  }

  /** Tokens of {@code text} in this model's encoding. */
  int countTokens(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    return encoding.countTokensOrdinary(text);
  }

  /**
   * Tokens of a message content as both wire formats write it: a string, or a list of parts or
   * blocks whose {@code text} fields count.
   */
  int countContentTokens(JsonNode content) {
    if (content == null || content.isNull()) {
      return 0;
    }
    if (content.isTextual()) {
      return countTokens(content.asText());
    }
    int n = 0;
    if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.path("text").isTextual()) {
          n += countTokens(part.get("text").asText());
        }
      }
    }
    return n;
  }

  /** Plans the answer to a prompt of {@code promptTokens}, capped at {@code maxTokens} if set. */
  Plan plan(int promptTokens, Integer maxTokens) {
    return plan(promptTokens, maxTokens, Tools.Offer.NONE);
  }

  /** Plans the answer; with tools offered, a tool call at the configured rate (or when forced). */
  Plan plan(int promptTokens, Integer maxTokens, Tools.Offer offer) {
    long n = requests.getAndIncrement();
    SplittableRandom random = new SplittableRandom(mix(seed + 0x9E3779B97F4A7C15L * (n + 1)));
    OutputConfig out = config.output();
    Tools.Tool tool = null;
    if (offer.any()) {
      double draw = random.nextDouble();
      if (offer.mode().equals("required") || draw < out.toolCallRate()) {
        int index = offer.forced() >= 0 ? offer.forced() : random.nextInt(offer.tools().size());
        tool = offer.tools().get(index);
      }
    }
    int length;
    String[] toolPieces = tool == null ? null : Tools.pieces(tool.arguments());
    if (toolPieces != null) {
      length = toolPieces.length;
    } else if (out.distribution() == Distribution.MAX_TOKENS) {
      length = maxTokens != null ? maxTokens : out.tokens();
    } else {
      length =
          (int) Math.round(sample(random, out.distribution(), out.tokens(), out.tokensStddev()));
    }
    length = Math.max(1, length);
    boolean truncated = false;
    if (maxTokens != null && length > maxTokens) {
      length = maxTokens;
      truncated = true;
    }
    String[] pieces = new String[length];
    for (int i = 0; i < length; i++) {
      String w = words[i % words.length];
      pieces[i] = toolPieces != null ? toolPieces[i] : i == 0 ? w : " " + w;
    }
    LatencyConfig lat = config.latency();
    double ttft =
        lat.prefillOverhead().toNanos() + (double) promptTokens * lat.prefillPerToken().toNanos();
    if (lat.prefillSpread() > 0) {
      ttft *= Math.max(0.0, 1.0 + gaussian(random) * lat.prefillSpread());
    }
    long[] due = new long[length];
    double mean = lat.interToken().toNanos();
    double sd = lat.interTokenStddev().toNanos();
    long t = Math.round(ttft);
    due[0] = t;
    for (int i = 1; i < length; i++) {
      t += Math.round(sample(random, lat.interTokenDistribution(), mean, sd));
      due[i] = t;
    }
    return new Plan(promptTokens, pieces, due, truncated, n, tool);
  }

  /** Resets the request counter (so the same seed replays the same plans). */
  void reset() {
    requests.set(0);
  }

  static double sample(SplittableRandom random, Distribution d, double mean, double sd) {
    switch (d) {
      case NORMAL:
        return Math.max(0.0, mean + gaussian(random) * sd);
      case LOGNORMAL:
        if (mean <= 0) {
          return 0.0;
        }
        double sigma2 = Math.log(1.0 + (sd * sd) / (mean * mean));
        double mu = Math.log(mean) - sigma2 / 2.0;
        return Math.exp(mu + Math.sqrt(sigma2) * gaussian(random));
      default:
        return mean;
    }
  }

  /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
  static double gaussian(SplittableRandom random) {
    double u1 = random.nextDouble();
    double u2 = random.nextDouble();
    if (u1 < 1e-300) {
      u1 = 1e-300;
    }
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String[] splitWords(String text) {
    List<String> list = new ArrayList<>();
    for (String w : text.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        list.add(w);
      }
    }
    return list.toArray(new String[0]);
  }
}
