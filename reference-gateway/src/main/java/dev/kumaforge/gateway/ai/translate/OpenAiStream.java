package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * OpenAI upstream to OpenAI client: frames pass through byte for byte, except the usage chunk the
 * gateway asked for on the client's behalf, which is read and not forwarded. Chunks are read with a
 * streaming parser for the few fields the gateway needs (no JSON tree per chunk); the rare chunks
 * it does not handle (errors, tool calls, unusual shapes) are read as a tree.
 */
public final class OpenAiStream implements StreamTranslator {
  private static final Frame DONE = Frame.data("[DONE]", false);

  /** Chunks longer than this are read as a tree. */
  private static final int MAX_SCANNED = 1 << 20;

  private final boolean clientWantsUsage;

  /** The assistant message, or null when the caller does not need it (no session to store). */
  private final Wire.MessageBuilder message;

  private Usage usage;
  private boolean finished;
  private String error;
  private int contentEvents;

  // what scan() found in the current chunk
  private boolean choicesArray;
  private int choicesSize;
  private String deltaContent;
  private boolean usageObject;
  private long promptTokens;
  private long completionTokens;

  /** {@code clientWantsUsage}: the client set stream_options.include_usage itself. */
  public OpenAiStream(boolean clientWantsUsage) {
    this(clientWantsUsage, true);
  }

  /**
   * {@code keepMessage}: assemble the assistant message ({@link #assistantMessage()}); without it
   * the answer's text is not kept for the length of the stream and the message is empty.
   */
  public OpenAiStream(boolean clientWantsUsage, boolean keepMessage) {
    this.clientWantsUsage = clientWantsUsage;
    this.message = keepMessage ? new Wire.MessageBuilder() : null;
  }

  @Override
  public List<Frame> onEvent(SseFramer.Event event) {
    String data = event.data();
    if ("[DONE]".equals(data)) {
      if (error != null) {
        return List.of();
      }
      finished = true;
      return List.of(DONE);
    }
    if (!scan(data)) {
      return onTree(data);
    }
    boolean content = false;
    if (choicesArray && choicesSize > 0 && deltaContent != null && !deltaContent.isEmpty()) {
      if (message != null) {
        message.text.append(deltaContent);
      }
      content = true;
    }
    if (content) {
      contentEvents++;
    }
    if (usageObject) {
      usage = new Usage(promptTokens, completionTokens);
      if (!clientWantsUsage && (!choicesArray || choicesSize == 0)) {
        return List.of();
      }
    }
    return List.of(Frame.data(data, content));
  }

  /** The same as {@link #onEvent} on the chunk's JSON tree, for what {@link #scan} leaves. */
  List<Frame> onTree(String data) {
    JsonNode n = Wire.parse(data);
    if (n == null) {
      error = "the provider sent a chunk that is not JSON";
      return List.of();
    }
    if (n.has("error")) {
      error = n.path("error").path("message").asText("provider error");
      return List.of();
    }
    boolean content = false;
    JsonNode choices = n.path("choices");
    if (choices.isArray() && choices.size() > 0) {
      JsonNode delta = choices.get(0).path("delta");
      if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
        if (message != null) {
          message.text.append(delta.get("content").asText());
        }
        content = true;
      }
      if (delta.path("tool_calls").isArray()) {
        for (JsonNode tc : delta.get("tool_calls")) {
          int index = tc.path("index").asInt(0);
          if (message != null) {
            message.tool(
                index,
                tc.path("id").isTextual() ? tc.get("id").asText() : null,
                tc.path("function").path("name").isTextual()
                    ? tc.get("function").get("name").asText()
                    : null);
            message.arguments(index, tc.path("function").path("arguments").asText(""));
          }
          content = true;
        }
      }
    }
    if (content) {
      contentEvents++;
    }
    JsonNode u = n.path("usage");
    if (u.isObject()) {
      usage = new Usage(u.path("prompt_tokens").asLong(), u.path("completion_tokens").asLong());
      if (!clientWantsUsage && (!choices.isArray() || choices.size() == 0)) {
        return List.of();
      }
    }
    return List.of(Frame.data(data, content));
  }

  /**
   * Reads the fields the gateway needs from a chunk without building its tree: {@code
   * choices[0].delta.content}, the size of {@code choices} and {@code usage}'s token counts. False
   * (the tree decides) for anything else: not an object, not JSON, an error, tool calls, a repeated
   * field, token counts that are not plain integers, a very long chunk.
   */
  private boolean scan(String data) {
    choicesArray = false;
    choicesSize = 0;
    deltaContent = null;
    usageObject = false;
    promptTokens = 0;
    completionTokens = 0;
    if (data.length() > MAX_SCANNED) {
      return false;
    }
    try (JsonParser p = Wire.MAPPER.getFactory().createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean seenChoices = false;
      boolean seenUsage = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "error" -> {
            return false;
          }
          case "choices" -> {
            if (seenChoices) {
              return false;
            }
            seenChoices = true;
            if (v != JsonToken.START_ARRAY) {
              p.skipChildren();
              break;
            }
            choicesArray = true;
            int i = 0;
            while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
              if (v == null) {
                return false;
              }
              if (i == 0 && v == JsonToken.START_OBJECT) {
                if (!scanChoice(p)) {
                  return false;
                }
              } else {
                p.skipChildren();
              }
              i++;
            }
            choicesSize = i;
          }
          case "usage" -> {
            if (seenUsage) {
              return false;
            }
            seenUsage = true;
            if (v != JsonToken.START_OBJECT) {
              p.skipChildren();
              break;
            }
            usageObject = true;
            if (!scanUsage(p)) {
              return false;
            }
          }
          default -> p.skipChildren();
        }
      }
      return p.currentToken() == JsonToken.END_OBJECT;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The first choice's {@code delta.content}; false on a repeated field or tool calls. */
  private boolean scanChoice(JsonParser p) throws IOException {
    boolean seenDelta = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (!"delta".equals(name)) {
        p.skipChildren();
        continue;
      }
      if (seenDelta) {
        return false;
      }
      seenDelta = true;
      if (v != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      boolean seenContent = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken x = p.nextToken();
        if ("content".equals(field)) {
          if (seenContent) {
            return false;
          }
          seenContent = true;
          deltaContent = x == JsonToken.VALUE_STRING ? p.getText() : null;
        } else if ("tool_calls".equals(field)) {
          return false;
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        return false;
      }
    }
    return p.currentToken() == JsonToken.END_OBJECT;
  }

  /** {@code usage}'s token counts; false on a repeated field or a count that is not an int. */
  private boolean scanUsage(JsonParser p) throws IOException {
    boolean seenPrompt = false;
    boolean seenCompletion = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      boolean prompt = "prompt_tokens".equals(name);
      if (!prompt && !"completion_tokens".equals(name)) {
        p.skipChildren();
        continue;
      }
      if ((prompt ? seenPrompt : seenCompletion)
          || v != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        return false;
      }
      if (prompt) {
        seenPrompt = true;
        promptTokens = p.getLongValue();
      } else {
        seenCompletion = true;
        completionTokens = p.getLongValue();
      }
    }
    return p.currentToken() == JsonToken.END_OBJECT;
  }

  @Override
  public Frame errorFrame(String msg) {
    return Frame.data(Wire.openAiError(msg, "server_error", "stream_failed"), false);
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public String upstreamError() {
    return error;
  }

  @Override
  public Usage usage() {
    return usage;
  }

  @Override
  public ObjectNode assistantMessage() {
    return (message != null ? message : new Wire.MessageBuilder()).build();
  }

  @Override
  public int contentEvents() {
    return contentEvents;
  }
}
