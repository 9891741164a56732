package dev.kumaforge.gateway.ai;

import dev.kumaforge.gateway.config.AiConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests and tokens per (consumer, deployment); cost is computed from the summed tokens and the
 * deployment's prices, the way the providers bill.
 */
public final class UsageLedger {
  /**
   * One row.
   *
   * @param consumer consumer name
   * @param backend backend name
   * @param model provider model
   * @param requests answered requests
   * @param promptTokens prompt tokens
   * @param completionTokens completion tokens
   * @param costUsd cost
   */
  public record Row(
      String consumer,
      String backend,
      String model,
      long requests,
      long promptTokens,
      long completionTokens,
      double costUsd) {}

  private record Key(String consumer, String backend, String model) {}

  private static final class Entry {
    final LongAdder requests = new LongAdder();
    final LongAdder prompt = new LongAdder();
    final LongAdder completion = new LongAdder();
    volatile AiConfig.Price price;
  }

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  /** Adds one answered request. */
  public void record(String consumer, AiConfig.Deployment d, long prompt, long completion) {
    Entry e = entries.computeIfAbsent(new Key(consumer, d.backend(), d.model()), k -> new Entry());
    e.price = d.price();
    e.requests.increment();
    e.prompt.add(prompt);
    e.completion.add(completion);
  }

  /** The cost of one consumer so far. */
  public double cost(String consumer) {
    double c = 0;
    for (Map.Entry<Key, Entry> e : entries.entrySet()) {
      if (e.getKey().consumer().equals(consumer)) {
        Entry v = e.getValue();
        c += v.price.cost(v.prompt.sum(), v.completion.sum());
      }
    }
    return c;
  }

  /** Every row, sorted by consumer, backend and model. */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    entries.forEach(
        (k, v) -> {
          long p = v.prompt.sum();
          long c = v.completion.sum();
          rows.add(
              new Row(
                  k.consumer(),
                  k.backend(),
                  k.model(),
                  v.requests.sum(),
                  p,
                  c,
                  v.price.cost(p, c)));
        });
    rows.sort(
        java.util.Comparator.comparing(Row::consumer)
            .thenComparing(Row::backend)
            .thenComparing(Row::model));
    return rows;
  }
}
