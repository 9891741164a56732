package dev.kumaforge.gateway.ai.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces API keys, e-mail addresses, IBANs (mod-97 checked), card numbers (Luhn checked) and
 * phone numbers by placeholders such as {@code [EMAIL]}, in this order. One instance is immutable
 * and thread-safe.
 */
public final class Masker {
  /** What can be masked. */
  public enum Kind {
    /** {@code sk-...} secret keys (OpenAI, Anthropic style), 16+ characters after the prefix. */
    apiKey("[API_KEY]", "\\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}"),
    /** E-mail addresses. */
    email("[EMAIL]", "\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b"),
    /** IBANs, with or without groups of four, mod-97 checked. */
    iban("[IBAN]", "\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b"),
    /** Card numbers of 13 to 19 digits (spaces or dashes allowed), Luhn checked. */
    card("[CARD]", "(?<![\\w-])\\d(?:[ -]?\\d){12,18}(?![\\w-])"),
    /** Phone numbers: 8 to 15 digits, optional +, spaces, dots, dashes, parentheses. */
    phone("[PHONE]", "(?<![\\w+])\\+?\\(?\\d(?:[ ().-]{0,2}\\d){7,14}(?!\\w)");

    final String placeholder;
    final Pattern pattern;

    Kind(String placeholder, String regex) {
      this.placeholder = placeholder;
      this.pattern = Pattern.compile(regex);
    }

    /** The placeholder replacing a match. */
    public String placeholder() {
      return placeholder;
    }
  }

  private final Set<Kind> kinds;

  /** A masker for {@code kinds}. */
  public Masker(Set<Kind> kinds) {
    this.kinds = kinds.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(kinds);
  }

  /** Whether nothing is masked. */
  public boolean isEmpty() {
    return kinds.isEmpty();
  }

  /** {@code text} masked; {@code counts} (may be null) gets the number of matches per kind. */
  public String mask(String text, Map<Kind, Integer> counts) {
    String out = text;
    // One cheap scan first: most prompts have no "@", no "sk-" and few digits, so most patterns
    // cannot match and are skipped (masking only removes these characters, so the counts of the
    // original text stay necessary conditions for the masked one).
    int digits = 0;
    boolean at = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '@') {
        at = true;
      }
    }
    boolean sk = text.contains("sk-");
    for (Kind k : kinds) {
      if (!mayMatch(k, digits, at, sk)) {
        continue;
      }
      Matcher m = k.pattern.matcher(out);
      StringBuilder sb = null;
      int last = 0;
      while (m.find()) {
        if (!valid(k, m.group())) {
          continue;
        }
        if (sb == null) {
          sb = new StringBuilder(out.length());
        }
        sb.append(out, last, m.start()).append(k.placeholder);
        last = m.end();
        if (counts != null) {
          counts.merge(k, 1, Integer::sum);
        }
      }
      if (sb != null) {
        sb.append(out, last, out.length());
        out = sb.toString();
      }
    }
    return out;
  }

  /** Whether {@code k} can match a text with these many digits, an "@" and an "sk-". */
  static boolean mayMatch(Kind k, int digits, boolean at, boolean sk) {
    return switch (k) {
      case apiKey -> sk;
      case email -> at;
      case iban -> digits >= 2;
      case card -> digits >= 13;
      case phone -> digits >= 8;
    };
  }

  /** Masks the text of chat or Anthropic messages in place: string contents and text parts. */
  public Map<Kind, Integer> maskMessages(JsonNode messages) {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    if (messages == null || !messages.isArray()) {
      return counts;
    }
    for (JsonNode m : messages) {
      if (m instanceof ObjectNode o) {
        maskField(o, "content", counts);
        if (o.path("content") instanceof ArrayNode parts) {
          for (JsonNode p : parts) {
            if (p instanceof ObjectNode po) {
              maskField(po, "text", counts);
              maskField(po, "content", counts);
            }
          }
        }
      }
    }
    return counts;
  }

  /** Masks {@code node.field} when it is a string. */
  public void maskField(ObjectNode node, String field, Map<Kind, Integer> counts) {
    JsonNode v = node.get(field);
    if (v != null && v.isTextual()) {
      String masked = mask(v.asText(), counts);
      if (!masked.equals(v.asText())) {
        node.put(field, masked);
      }
    }
  }

  static boolean valid(Kind k, String match) {
    return switch (k) {
      case card -> luhn(match.replaceAll("[ -]", ""));
      case iban -> ibanValid(match.replace(" ", ""));
      case phone -> {
        int digits = match.replaceAll("\\D", "").length();
        yield digits >= 8 && digits <= 15;
      }
      default -> true;
    };
  }

  /** The Luhn check of a digit string. */
  public static boolean luhn(String digits) {
    int sum = 0;
    boolean doubled = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (doubled) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubled = !doubled;
    }
    return digits.length() >= 13 && sum % 10 == 0;
  }

  /** The ISO 13616 mod-97 check of an IBAN without spaces. */
  public static boolean ibanValid(String iban) {
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String moved = (iban.substring(4) + iban.substring(0, 4)).toUpperCase(Locale.ROOT);
    StringBuilder digits = new StringBuilder();
    for (char c : moved.toCharArray()) {
      digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
  }
}
