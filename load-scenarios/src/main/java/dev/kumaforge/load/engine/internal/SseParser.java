package dev.kumaforge.load.engine.internal;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An incremental Server-Sent Events parser: feed it body bytes as they arrive (split anywhere) and
 * it reports each complete event. Lines end with LF or CRLF; comments ({@code :...}) are skipped;
 * several {@code data:} lines of one event are joined with LF.
 */
public final class SseParser {
  /** Receives complete events. */
  @FunctionalInterface
  public interface Listener {
    /** One event: its {@code event:} name (null when absent) and its data. */
    void onEvent(String event, String data);
  }

  private final Listener listener;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String event;

  /** A parser reporting to {@code listener}. */
  public SseParser(Listener listener) {
    this.listener = listener;
  }

  /** Feeds the readable bytes of {@code buf} without consuming them. */
  public void feed(ByteBuf buf) {
    for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end; i++) {
      accept(buf.getByte(i));
    }
  }

  /** Feeds {@code bytes}. */
  public void feed(byte[] bytes) {
    for (byte b : bytes) {
      accept(b);
    }
  }

  /** Forgets any partial event, for the next response. */
  public void reset() {
    line.reset();
    data.setLength(0);
    hasData = false;
    event = null;
  }

  private void accept(byte b) {
    if (b != '\n') {
      line.write(b);
      return;
    }
    byte[] raw = line.toByteArray();
    int len = raw.length;
    if (len > 0 && raw[len - 1] == '\r') {
      len--;
    }
    line.reset();
    String text = new String(raw, 0, len, StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      if (hasData) {
        listener.onEvent(event, data.toString());
      }
      data.setLength(0);
      hasData = false;
      event = null;
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("data")) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    } else if (field.equals("event")) {
      event = value;
    }
  }
}
