package dev.kumaforge.backends.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Ground truth of what a provider served, per API key and model. */
public final class Ledger {
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  /** Records one finished request with the tokens the client actually received. */
  public void record(
      String apiKey, String model, boolean ok, long promptTokens, long completionTokens) {
    Entry e = entries.computeIfAbsent(new Key(apiKey, model), k -> new Entry());
    e.requests.increment();
    if (!ok) {
      e.errors.increment();
    }
    e.promptTokens.add(promptTokens);
    e.completionTokens.add(completionTokens);
  }

  /** Forgets everything. */
  public void reset() {
    entries.clear();
  }

  /** A consistent-enough snapshot, sorted by key and model. */
  public List<Row> snapshot() {
    List<Row> rows = new ArrayList<>();
    entries.forEach(
        (k, e) ->
            rows.add(
                new Row(
                    k.apiKey,
                    k.model,
                    e.requests.sum(),
                    e.errors.sum(),
                    e.promptTokens.sum(),
                    e.completionTokens.sum())));
    rows.sort(Comparator.comparing(Row::apiKey).thenComparing(Row::model));
    return rows;
  }

  /** One ledger line. */
  public record Row(
      String apiKey,
      String model,
      long requests,
      long errors,
      long promptTokens,
      long completionTokens) {}

  private record Key(String apiKey, String model) {}

  private static final class Entry {
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
  }
}
