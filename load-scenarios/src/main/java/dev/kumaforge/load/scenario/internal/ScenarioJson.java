package dev.kumaforge.load.scenario.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.common.units.Rate;
import dev.kumaforge.load.scenario.Fraction;
import java.io.IOException;
import java.time.Duration;

/**
 * Renders scenario records as a JSON tree with the YAML's keys and unit strings ({@code "250ms"},
 * {@code "300/s"}, {@code "0.1%"}), so the tree binds back to the same scenario.
 */
public final class ScenarioJson {
  private static final ObjectMapper MAPPER = create();

  private ScenarioJson() {}

  private static ObjectMapper create() {
    SimpleModule units = new SimpleModule("forge-scenario-units");
    units.addSerializer(new ToStringSerializer<>(Duration.class, Durations::format));
    units.addSerializer(new ToStringSerializer<>(Rate.class, Rate::toString));
    units.addSerializer(new ToStringSerializer<>(Fraction.class, Fraction::toString));
    ObjectMapper m = new ObjectMapper();
    m.registerModule(units);
    m.setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
    return m;
  }

  /** {@code value} as a JSON tree. */
  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  private static final class ToStringSerializer<T> extends StdSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient java.util.function.Function<T, String> format;

    ToStringSerializer(Class<T> type, java.util.function.Function<T, String> format) {
      super(type);
      this.format = format;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(format.apply(value));
    }
  }
}
