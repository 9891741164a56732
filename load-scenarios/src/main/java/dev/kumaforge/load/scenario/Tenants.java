package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.util.regex.Pattern;

/**
 * A population of API keys (tenants), one picked per virtual user with a Zipf skew; used by the
 * Gatling engine.
 *
 * @param count how many distinct keys (required, 1 to 1,000,000)
 * @param header the request header carrying the key (default {@code authorization}, sent as {@code
 *     Bearer <key>}; any other header gets the bare key)
 * @param prefix key text before the tenant number (default {@code sk-tenant-})
 * @param skew Zipf exponent: tenant k (1-based) is picked with weight 1 / k^skew; 0 is uniform
 *     (default 1)
 */
public record Tenants(Integer count, String header, String prefix, Double skew)
    implements Validatable {
  private static final Pattern HEADER = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$");

  public Tenants {
    header = header == null ? "authorization" : header;
    prefix = prefix == null ? "sk-tenant-" : prefix;
    skew = skew == null ? 1.0 : skew;
  }

  /** The header value for tenant {@code k} (1-based). */
  public String headerValue(int k) {
    String key = prefix + k;
    return "authorization".equalsIgnoreCase(header) ? "Bearer " + key : key;
  }

  @Override
  public void validate(Validator v) {
    if (v.required(count, "count")) {
      v.check(count >= 1 && count <= 1_000_000, "count", count, "1 to 1000000");
    }
    v.check(HEADER.matcher(header).matches(), "header", header, "a valid header name");
    v.check(
        !prefix.isEmpty() && prefix.indexOf('\n') < 0 && prefix.indexOf('\r') < 0,
        "prefix",
        prefix,
        "a non-empty single-line text");
    v.check(Double.isFinite(skew) && skew >= 0 && skew <= 10, "skew", skew, "0 to 10");
  }
}
