package dev.kumaforge.gateway.ai.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Turns one upstream event stream into client frames, event by event (nothing is held back), and
 * remembers the usage and the assembled assistant message.
 */
public interface StreamTranslator {
  /** Frames for one upstream event. */
  List<Frame> onEvent(SseFramer.Event event);

  /** The frame telling the client the stream failed (never a clean end). */
  Frame errorFrame(String message);

  /** Whether the upstream signalled the clean end of the answer. */
  boolean finished();

  /** The error the upstream sent inside the stream, or null. */
  String upstreamError();

  /** Usage, or null when the upstream did not report it. */
  Usage usage();

  /** The assistant message as an OpenAI-style message (content and tool_calls). */
  ObjectNode assistantMessage();

  /** Completion tokens streamed so far (one per content event), for TPOT. */
  int contentEvents();
}
