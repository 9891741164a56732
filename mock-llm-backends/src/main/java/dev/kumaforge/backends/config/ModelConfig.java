package dev.kumaforge.backends.config;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.util.Set;

/**
 * One model served by a provider.
 *
 * @param name the model name clients send, required
 * @param encoding the jtokkit encoding used to count prompt tokens: o200k_base, cl100k_base,
 *     p50k_base, p50k_edit or r50k_base, default o200k_base
 * @param contextWindow prompt + max output tokens allowed, default 128000
 * @param price USD per million input and output tokens, default free
 * @param latency the timing model, default no latency
 * @param output the answer model, default 16 tokens of a fixed sentence
 * @param concurrency slots, queue and slowdown, default unlimited
 * @param embeddingDimensions length of the vectors answered by {@code /v1/embeddings}, default 1536
 */
public record ModelConfig(
    String name,
    String encoding,
    Integer contextWindow,
    PriceConfig price,
    LatencyConfig latency,
    OutputConfig output,
    ConcurrencyConfig concurrency,
    Integer embeddingDimensions)
    implements Validatable {

  /** The encodings jtokkit knows. */
  public static final Set<String> ENCODINGS =
      Set.of("o200k_base", "cl100k_base", "p50k_base", "p50k_edit", "r50k_base");

  /** Applies defaults. */
  public ModelConfig {
    encoding = encoding == null ? "o200k_base" : encoding;
    contextWindow = contextWindow == null ? 128_000 : contextWindow;
    price = price == null ? PriceConfig.free() : price;
    latency = latency == null ? LatencyConfig.zero() : latency;
    output = output == null ? OutputConfig.defaults() : output;
    concurrency = concurrency == null ? ConcurrencyConfig.unlimited() : concurrency;
    embeddingDimensions = embeddingDimensions == null ? 1536 : embeddingDimensions;
  }

  @Override
  public void validate(Validator v) {
    v.required(name, "name");
    v.check(
        ENCODINGS.contains(encoding),
        "encoding",
        encoding,
        "one of " + new java.util.TreeSet<>(ENCODINGS));
    v.check(contextWindow >= 1, "contextWindow", contextWindow, ">= 1");
    price.validate(v.at("price"));
    latency.validate(v.at("latency"));
    output.validate(v.at("output"));
    concurrency.validate(v.at("concurrency"));
    v.check(
        embeddingDimensions >= 1 && embeddingDimensions <= 65536,
        "embeddingDimensions",
        embeddingDimensions,
        "1 .. 65536");
  }
}
