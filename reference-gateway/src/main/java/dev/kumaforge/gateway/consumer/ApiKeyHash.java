package dev.kumaforge.gateway.consumer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Salted SHA-256 API key hashes in the form {@code sha256:<salt hex>:<hash hex>}, where hash =
 * SHA-256(salt bytes + UTF-8 key). Print one with {@code java -cp forge.jar
 * dev.kumaforge.gateway.consumer.ApiKeyHash KEY}.
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

  /** Prints the hash of each argument, one per line. */
  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: ApiKeyHash KEY... (prints sha256:<salt>:<hash> per key)");
      System.exit(2);
    }
    for (String key : args) {
      System.out.println(hash(key));
    }
  }
}
