package dev.kumaforge.reports.render.internal;

/** Escaping for HTML, XML and markdown table cells. */
public final class Text {
  private Text() {}

  /** Escapes {@code s} for HTML/XML text and attribute values; null becomes empty. */
  public static String xml(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            b.append(' ');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** Makes {@code s} safe inside a markdown table cell; null becomes empty. */
  public static String md(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }
}
