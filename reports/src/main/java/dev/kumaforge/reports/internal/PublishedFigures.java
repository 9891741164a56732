package dev.kumaforge.reports.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.reports.ReportException;
import dev.kumaforge.reports.model.PublishedFigure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The versioned resource {@code published-figures.yaml}: figures published by others for Envoy and
 * Kuma, shown when a run did not measure them.
 */
public final class PublishedFigures {
  private PublishedFigures() {}

  /** Classpath location of the resource. */
  public static final String RESOURCE = "/dev/kumaforge/reports/published-figures.yaml";

  private static final JsonNode TREE = readTree();
  private static final List<PublishedFigure> ALL = figures(TREE);

  /** Every figure of the resource, in file order. */
  public static List<PublishedFigure> all() {
    return ALL;
  }

  /**
   * The figures to show for a run whose targets have {@code types}: a figure is shown when no
   * target of its {@code shown_for} type ran ({@code kuma} is never a target type, so Kuma's row is
   * always shown).
   */
  public static List<PublishedFigure> shownFor(Collection<String> types) {
    return ALL.stream().filter(f -> !types.contains(f.shownFor())).toList();
  }

  private static JsonNode readTree() {
    String text;
    try (InputStream in = PublishedFigures.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new ReportException("missing resource " + RESOURCE);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReportException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
    return YamlConfig.parseTree(text, RESOURCE);
  }

  private static List<PublishedFigure> figures(JsonNode root) {
    List<PublishedFigure> out = new ArrayList<>();
    JsonNode figures = root.path("figures");
    for (int i = 0; i < figures.size(); i++) {
      JsonNode f = figures.get(i);
      String where = RESOURCE + ": figures[" + i + "]";
      for (String field : List.of("id", "product", "shown_for", "statement", "source")) {
        if (f.path(field).asText("").isBlank()) {
          throw new ReportException(where + "." + field + " is missing");
        }
      }
      out.add(
          new PublishedFigure(
              f.get("id").asText(),
              f.get("product").asText(),
              f.get("shown_for").asText(),
              f.path("metric").asText(""),
              f.path("value").isNumber() ? f.get("value").asDouble() : null,
              f.path("unit").asText(""),
              f.get("statement").asText(),
              f.path("conditions").asText(""),
              f.get("source").asText(),
              f.path("source_verified").asBoolean(false)));
    }
    return List.copyOf(out);
  }

  /** The {@code version} of the resource. */
  public static int version() {
    return TREE.path("version").asInt(0);
  }
}
