package dev.kumaforge.gateway.consumer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Salted SHA-256 API key hashes in the form {@code sha256:<salt hex>:<hash hex>}, where hash =
 * SHA-256(salt bytes + UTF-8 key). Print one with {@code forge hash-key} (the key is read from
 * standard input).
 */
public final class ApiKeyHash {
  /** The prefix of every hash. */
  public static final String PREFIX = "sha256:";

  /** What a valid hash looks like, for config errors. */
  public static final String EXPECTED = "sha256:<salt hex, 16..64 chars>:<64 hex chars>";

  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyHash() {}

  /** Hashes {@code key} with a fresh random 16-byte salt. */
  public static String hash(String key) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return PREFIX + HEX.formatHex(salt) + ":" + HEX.formatHex(digest(salt, key));
  }

  /** Whether {@code text} is a well-formed hash. */
  public static boolean isValid(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      return false;
    }
    String[] parts = text.substring(PREFIX.length()).split(":", -1);
    return parts.length == 2
        && parts[0].matches("([0-9a-f]{2}){8,32}")
        && parts[1].matches("[0-9a-f]{64}");
  }

  /** Whether {@code key} matches the well-formed {@code hash} (constant-time comparison). */
  public static boolean matches(String hash, String key) {
    String[] parts = hash.substring(PREFIX.length()).split(":", -1);
    byte[] expected = HEX.parseHex(parts[1]);
    return MessageDigest.isEqual(expected, digest(HEX.parseHex(parts[0]), key));
  }

  static byte[] digest(byte[] salt, String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt);
      return md.digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * Reads one key per line from standard input and prints its hash per line (keys never go on the
   * command line, where shell history and process lists would keep them); {@code forge hash-key}
   * does the same.
   */
  public static void main(String[] args) throws java.io.IOException {
    java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
    int n = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isBlank()) {
        System.out.println(hash(line.strip()));
        n++;
      }
    }
    if (n == 0) {
      System.err.println(
          "usage: ApiKeyHash < keys.txt (one key per line; prints sha256:<salt>:<hash>)");
      System.exit(2);
    }
  }
}
