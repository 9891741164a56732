package dev.kumaforge.chaos.proxy;

import java.util.Map;

/**
 * A toxic as the API shows it.
 *
 * @param name unique within its proxy (default {@code <type>_<stream>})
 * @param type a registered type name
 * @param stream the direction it acts on
 * @param toxicity probability (0 to 1) that a connection is affected, drawn per connection
 * @param attributes the type's attributes with their values (all present, default 0)
 */
public record ToxicSpec(
    String name,
    String type,
    StreamDirection stream,
    double toxicity,
    Map<String, Long> attributes) {

  public ToxicSpec {
    attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
  }

  /** The same toxic with other attribute values and toxicity. */
  public ToxicSpec with(Map<String, Long> newAttributes, double newToxicity) {
    return new ToxicSpec(name, type, stream, newToxicity, newAttributes);
  }
}
