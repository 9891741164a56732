package dev.kumaforge.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Loads YAML files into immutable records and reports every problem with its YAML path.
 *
 * <p>Rules, the same for every config kind of the project:
 *
 * <ul>
 *   <li>unknown keys are errors ({@code workload.phase: unknown key (expected one of: ...)});
 *   <li>wrong types name the path and the expected type ({@code workload.phases[1].rate});
 *   <li>malformed YAML names line and column;
 *   <li>YAML type tags ({@code !!java...}) and expressions ({@code ${...}}, {@code #{...}}) are
 *       rejected, never evaluated;
 *   <li>duplicate keys are errors;
 *   <li>after binding, {@link Validatable} records check their values, and all errors are reported
 *       together in one {@link ConfigException}.
 * </ul>
 *
 * <pre>{@code
 * Scenario s = YamlConfig.load(Path.of("quickstart.yaml"), Scenario.class);
 * }</pre>
 */
public final class YamlConfig {
  private static final ObjectMapper YAML =
      configure(
          YAMLMapper.builder(yamlFactory())
              .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
              .build());
  private static final ObjectMapper JSON =
      configure(JsonMapper.builder().disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).build());

  private YamlConfig() {}

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setCodePointLimit(8 * 1024 * 1024);
    return YAMLFactory.builder().loaderOptions(options).build();
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    mapper.registerModule(new UnitsModule());
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return mapper;
  }

  /** The shared YAML mapper (units module registered, strict). */
  public static ObjectMapper yamlMapper() {
    return YAML;
  }

  /** A JSON mapper with the same rules, for APIs that take JSON bodies. */
  public static ObjectMapper jsonMapper() {
    return JSON;
  }

  /** Reads and binds {@code file}; throws {@link ConfigException} with every problem found. */
  public static <T> T load(Path file, Class<T> type) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "", "file not found");
    } catch (IOException e) {
      throw new ConfigException(source, "", "cannot read file: " + e.getMessage());
    }
    return parse(text, source, type);
  }

  /** Binds YAML {@code text}; {@code source} names it in error messages. */
  public static <T> T parse(String text, String source, Class<T> type) {
    JsonNode tree = parseTree(text, source);
    return bind(tree, source, type);
  }

  /**
   * Parses {@code text} into a tree after the safety checks (tags, expressions, duplicates). Used
   * by tools that rewrite a config before binding it.
   */
  public static JsonNode parseTree(String text, String source) {
    List<ConfigError> unsafe = scanForUnsafeConstructs(text);
    if (!unsafe.isEmpty()) {
      throw new ConfigException(source, unsafe);
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, "", describeParseError(e));
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new ConfigException(source, "", "the file is empty (expected: a YAML mapping)");
    }
    if (!tree.isObject()) {
      throw new ConfigException(
          source, "", "the document is a " + nodeKind(tree) + " (expected: a YAML mapping)");
    }
    return tree;
  }

  /** Binds an already parsed tree to {@code type} and validates it. */
  public static <T> T bind(JsonNode tree, String source, Class<T> type) {
    T value;
    try {
      value = YAML.treeToValue(tree, type);
    } catch (JsonMappingException e) {
      throw new ConfigException(source, List.of(describeMappingError(e)));
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, "", describeParseError(e));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source, "", String.valueOf(e.getMessage()));
    }
    if (value == null) {
      throw new ConfigException(source, "", "the file is empty (expected: a YAML mapping)");
    }
    if (value instanceof Validatable validatable) {
      Validator v = Validator.root();
      validatable.validate(v);
      v.throwIfInvalid(source);
    }
    return value;
  }

  /** Turns a Jackson path into {@code a.b[1].c}. */
  public static String pathOf(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static ConfigError describeMappingError(JsonMappingException e) {
    String path = pathOf(e);
    if (e instanceof UnrecognizedPropertyException u) {
      TreeSet<String> known = new TreeSet<>();
      if (u.getKnownPropertyIds() != null) {
        u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      }
      return new ConfigError(
          path, "unknown key" + (known.isEmpty() ? "" : " (expected one of: " + known + ")"));
    }
    if (e instanceof InvalidFormatException f) {
      String expected = f.getTargetType() == null ? "another value" : typeName(f.getTargetType());
      Throwable cause = f.getCause();
      if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
        return new ConfigError(path, cause.getMessage());
      }
      return new ConfigError(path, "'" + f.getValue() + "' (expected: " + expected + ")");
    }
    if (e instanceof MismatchedInputException m) {
      String expected = m.getTargetType() == null ? "another value" : typeName(m.getTargetType());
      String msg = m.getOriginalMessage();
      if (msg != null && msg.startsWith(UnitsModule.MESSAGE_PREFIX)) {
        return new ConfigError(path, msg.substring(UnitsModule.MESSAGE_PREFIX.length()));
      }
      return new ConfigError(path, "wrong type (expected: " + expected + ")");
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    if (root instanceof IllegalArgumentException && root.getMessage() != null) {
      return new ConfigError(path, root.getMessage());
    }
    return new ConfigError(path, String.valueOf(e.getOriginalMessage()));
  }

  private static String typeName(Class<?> type) {
    if (type.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object c : type.getEnumConstants()) {
        names.add(c.toString());
      }
      return "one of " + names;
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    return type.getSimpleName();
  }

  private static String describeParseError(JsonProcessingException e) {
    Throwable cause = e.getCause();
    if (cause instanceof MarkedYAMLException y) {
      Mark mark = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
      String problem = y.getProblem() != null ? y.getProblem() : y.getMessage();
      if (mark != null) {
        return "malformed YAML at line "
            + (mark.getLine() + 1)
            + ", column "
            + (mark.getColumn() + 1)
            + ": "
            + problem;
      }
      return "malformed YAML: " + problem;
    }
    JsonLocation loc = e.getLocation();
    String msg = e.getOriginalMessage();
    if (e instanceof JsonParseException && msg != null && msg.startsWith("Duplicate field")) {
      msg = "duplicate key " + msg.substring("Duplicate field ".length());
    }
    if (loc != null && loc.getLineNr() > 0) {
      return "malformed YAML at line "
          + loc.getLineNr()
          + ", column "
          + loc.getColumnNr()
          + ": "
          + msg;
    }
    return "malformed YAML: " + msg;
  }

  private static String nodeKind(JsonNode node) {
    if (node.isArray()) {
      return "list";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** Finds explicit YAML tags and expression syntax, which are never evaluated. */
  private static List<ConfigError> scanForUnsafeConstructs(String text) {
    List<ConfigError> errors = new ArrayList<>();
    Yaml yaml = new Yaml(new LoaderOptions());
    try {
      for (Event event : yaml.parse(new StringReader(text))) {
        String tag = null;
        if (event instanceof ScalarEvent s) {
          if (s.getTag() != null && !s.getImplicit().canOmitTagInPlainScalar()) {
            tag = s.getTag();
          } else if (s.getTag() != null && !s.getImplicit().bothFalse()) {
            tag = null;
          }
          if (s.getTag() != null && s.getImplicit().bothFalse()) {
            tag = s.getTag();
          }
          String value = s.getValue();
          if (value != null && (value.contains("${") || value.contains("#{"))) {
            errors.add(
                at(
                    event.getStartMark(),
                    "expressions such as ${...} or #{...} are not supported and never evaluated"));
          }
        } else if (event instanceof CollectionStartEvent c && c.getTag() != null) {
          tag = c.getTag();
        }
        if (tag != null) {
          errors.add(at(event.getStartMark(), "YAML tags such as " + tag + " are not allowed"));
        }
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      errors.add(
          mark == null
              ? new ConfigError("", "malformed YAML: " + problem)
              : at(mark, "malformed YAML: " + problem));
    }
    return errors;
  }

  private static ConfigError at(Mark mark, String message) {
    if (mark == null) {
      return new ConfigError("", message);
    }
    return new ConfigError(
        "", "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": " + message);
  }
}
