package dev.kumaforge.backends.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Fast JSON in and out of Netty buffers. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY =
      new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private Json() {}

  /** Writes a JSON document with {@code body} into a fresh buffer. */
  static ByteBuf write(ByteBufAllocator alloc, Body body) {
    return write(alloc, "", body, "");
  }

  /** Writes {@code prefix}, a JSON document, then {@code suffix} (for SSE framing). */
  static ByteBuf write(ByteBufAllocator alloc, String prefix, Body body, String suffix) {
    ByteBuf buf = alloc.buffer(256);
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      if (!prefix.isEmpty()) {
        out.write(prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      try (JsonGenerator g =
          FACTORY.createGenerator((java.io.OutputStream) out, JsonEncoding.UTF8)) {
        body.write(g);
      }
      if (!suffix.isEmpty()) {
        out.write(suffix.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return buf;
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a request body; null when it is not valid JSON. */
  static JsonNode parse(ByteBuf content) {
    if (!content.isReadable()) {
      return null;
    }
    try (ByteBufInputStream in = new ByteBufInputStream(content.duplicate())) {
      return MAPPER.readTree((java.io.InputStream) in);
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes the body of a JSON document. */
  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }
}
