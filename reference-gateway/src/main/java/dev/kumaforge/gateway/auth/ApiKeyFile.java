package dev.kumaforge.gateway.auth;

import dev.kumaforge.common.config.ConfigError;
import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an API key file: one {@code <consumer name> <sha256:salt:hash>} per line, blank lines and
 * lines starting with {@code #} ignored. Errors name the file and line, never the line's text.
 */
public final class ApiKeyFile {
  private static final String PATH = "authentication.apiKeys.file";

  private ApiKeyFile() {}

  /** Consumer name to its key hashes; adds an error per bad line (or for an unreadable file). */
  public static Map<String, List<String>> read(Path file, List<ConfigError> errors) {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      errors.add(
          new ConfigError(PATH, "cannot read '" + file + "': " + e.getClass().getSimpleName()));
      return keys;
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2
          || !parts[0].matches("[A-Za-z0-9_.-]+")
          || !ApiKeyHash.isValid(parts[1])) {
        errors.add(
            new ConfigError(
                PATH,
                "'"
                    + file
                    + "' line "
                    + (i + 1)
                    + " (expected: <consumer name> "
                    + ApiKeyHash.EXPECTED
                    + ")"));
        continue;
      }
      keys.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
    }
    return keys;
  }
}
