package dev.kumaforge.chaos.proxy.toxics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A kind of toxic: its Toxiproxy type name, its integer attributes (in display order, all default
 * 0), a check of their values, and a factory of per-link instances.
 *
 * @param name the type name used in the API ({@code latency}, ...)
 * @param attributes attribute names with their unit, in display order
 * @param check returns an error message for invalid attribute values, or empty
 * @param factory creates a fresh instance for one link from the attribute values
 */
public record ToxicType(
    String name,
    List<Attribute> attributes,
    Function<Map<String, Long>, Optional<String>> check,
    Function<Map<String, Long>, Toxic> factory) {

  /** An attribute: a non-negative integer with a unit for error messages and docs. */
  public record Attribute(String name, String unit) {}

  /** The attribute names, in display order. */
  public List<String> attributeNames() {
    return attributes.stream().map(Attribute::name).toList();
  }

  /** Creates the instance for one link. */
  public Toxic create(Map<String, Long> values) {
    return factory.apply(values);
  }
}
