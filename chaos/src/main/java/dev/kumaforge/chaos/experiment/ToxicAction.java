package dev.kumaforge.chaos.experiment;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.util.Map;

/**
 * The toxic a {@code toxic} action adds, in Toxiproxy's fields.
 *
 * @param name toxic name (default {@code <type>_<stream>})
 * @param type toxic type, required (latency, bandwidth, slow_close, timeout, reset_peer, slicer,
 *     limit_data)
 * @param stream upstream or downstream (default downstream)
 * @param toxicity probability per connection (default 1)
 * @param attributes the type's integer attributes
 */
public record ToxicAction(
    String name, String type, String stream, Double toxicity, Map<String, Long> attributes)
    implements Validatable {

  /** Applies defaults. */
  public ToxicAction {
    stream = stream == null ? "downstream" : stream;
    toxicity = toxicity == null ? 1.0 : toxicity;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** The toxic name the proxy will use. */
  public String effectiveName() {
    return name == null ? type + "_" + stream : name;
  }

  @Override
  public void validate(Validator v) {
    v.required(type, "type");
    v.check(
        stream.equals("upstream") || stream.equals("downstream"),
        "stream",
        "'" + stream + "'",
        "upstream or downstream");
    v.check(toxicity >= 0 && toxicity <= 1, "toxicity", toxicity, "0 to 1");
    attributes.forEach(
        (k, val) -> v.check(val != null && val >= 0, "attributes." + k, val, ">= 0"));
  }
}
