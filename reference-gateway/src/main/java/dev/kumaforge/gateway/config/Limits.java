package dev.kumaforge.gateway.config;

import dev.kumaforge.common.config.Validator;
import dev.kumaforge.common.units.DataSize;
import java.time.Duration;

/**
 * Request limits of one listener, enforced before routing; see {@code listeners.<name>.limits} in
 * {@code reference.yaml}.
 *
 * @param maxUriLength longest request target (path and query) in bytes; longer -> 414, default 8KiB
 * @param maxHeaderBytes all header names and values of a request together; more -> 431, default
 *     32KiB
 * @param maxHeaderCount most header lines in a request; more -> 431, default 100
 * @param maxBodySize largest request body, also for chunked bodies without Content-Length; larger
 *     -> 413, default 10MiB
 * @param bodyTimeout the whole request body must arrive within this time; slower -> 408, default
 *     60s
 */
public record Limits(
    DataSize maxUriLength,
    DataSize maxHeaderBytes,
    Integer maxHeaderCount,
    DataSize maxBodySize,
    Duration bodyTimeout) {
  /** Largest value accepted for the byte limits that Pekko's parser takes as an int. */
  private static final long MAX_PARSER_BYTES = 1 << 20;

  public Limits {
    maxUriLength = maxUriLength == null ? DataSize.ofBytes(8 * 1024) : maxUriLength;
    maxHeaderBytes = maxHeaderBytes == null ? DataSize.ofBytes(32 * 1024) : maxHeaderBytes;
    maxHeaderCount = maxHeaderCount == null ? 100 : maxHeaderCount;
    maxBodySize = maxBodySize == null ? DataSize.ofBytes(10L * 1024 * 1024) : maxBodySize;
    bodyTimeout = bodyTimeout == null ? Duration.ofSeconds(60) : bodyTimeout;
  }

  /** The defaults. */
  public static Limits defaults() {
    return new Limits(null, null, null, null, null);
  }

  void validate(Validator v) {
    v.check(
        maxUriLength.bytes() >= 16 && maxUriLength.bytes() <= MAX_PARSER_BYTES,
        "maxUriLength",
        maxUriLength,
        "16B to 1MiB");
    v.check(
        maxHeaderBytes.bytes() >= 256 && maxHeaderBytes.bytes() <= MAX_PARSER_BYTES,
        "maxHeaderBytes",
        maxHeaderBytes,
        "256B to 1MiB");
    v.check(
        maxHeaderCount >= 1 && maxHeaderCount <= 10_000,
        "maxHeaderCount",
        maxHeaderCount,
        "1 to 10000");
    v.check(maxBodySize.bytes() >= 1, "maxBodySize", maxBodySize, ">= 1B");
    GatewayConfig.positive(v, bodyTimeout, "bodyTimeout");
  }
}
