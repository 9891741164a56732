package dev.kumaforge.common.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.kumaforge.common.units.DataSize;
import dev.kumaforge.common.units.Durations;
import dev.kumaforge.common.units.Rate;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/** Jackson bindings for {@link Duration} ({@code 250ms}), {@link Rate} and {@link DataSize}. */
final class UnitsModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** Marks messages that are already user-facing. */
  static final String MESSAGE_PREFIX = "forge:";

  UnitsModule() {
    super("forge-units");
    addDeserializer(
        Duration.class, new TextDeserializer<>(Duration.class, Durations::parse, false));
    addDeserializer(Rate.class, new TextDeserializer<>(Rate.class, Rate::parse, true));
    addDeserializer(DataSize.class, new TextDeserializer<>(DataSize.class, DataSize::parse, true));
    addSerializer(Duration.class, new TextSerializer<>(Duration.class, Durations::format));
    addSerializer(Rate.class, new TextSerializer<>(Rate.class, Rate::toString));
    addSerializer(DataSize.class, new TextSerializer<>(DataSize.class, DataSize::toString));
  }

  /** Writes a unit value the way it is written in YAML, e.g. {@code 250ms}. */
  private static final class TextSerializer<T> extends StdSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient Function<T, String> printer;

    TextSerializer(Class<T> type, Function<T, String> printer) {
      super(type);
      this.printer = printer;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(printer.apply(value));
    }
  }

  private static final class TextDeserializer<T> extends JsonDeserializer<T> {
    private final Class<T> type;
    private final Function<String, T> parser;
    private final boolean acceptNumbers;

    TextDeserializer(Class<T> type, Function<String, T> parser, boolean acceptNumbers) {
      this.type = type;
      this.parser = parser;
      this.acceptNumbers = acceptNumbers;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken token = p.currentToken();
      String text;
      if (token == JsonToken.VALUE_STRING) {
        text = p.getText();
      } else if (acceptNumbers
          && (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT)) {
        text = p.getText();
      } else if (token.isScalarValue()) {
        return fail(ctxt, p.getText());
      } else {
        return fail(ctxt, "a " + (token == JsonToken.START_ARRAY ? "list" : "mapping"));
      }
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        return fail(ctxt, text);
      }
    }

    private T fail(DeserializationContext ctxt, String got) throws IOException {
      String expected =
          type == Duration.class
              ? Durations.EXPECTED
              : type == Rate.class ? Rate.EXPECTED : DataSize.EXPECTED;
      return ctxt.reportInputMismatch(type, "%s'%s' (expected: %s)", MESSAGE_PREFIX, got, expected);
    }
  }
}
