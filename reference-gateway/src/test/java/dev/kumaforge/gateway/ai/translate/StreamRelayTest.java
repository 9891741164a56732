package dev.kumaforge.gateway.ai.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link StreamRelay} on real Pekko streams: frames, ends, failures, cancellation. */
class StreamRelayTest {
  static ActorSystem system;
  static Materializer mat;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("relay-test");
    mat = Materializer.createMaterializer(system);
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String chunk(String content) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"}}]}\n\n";
  }

  static final String ROLE =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
  static final String STOP =
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  static final String USAGE =
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n";
  static final String DONE = "data: [DONE]\n\n";

  static ByteString bytes(String s) {
    return ByteString.fromString(s, StandardCharsets.UTF_8);
  }

  static List<String> strings(List<ByteString> elements) {
    List<String> out = new ArrayList<>();
    elements.forEach(b -> out.add(b.utf8String()));
    return out;
  }

  /** Runs the relay over {@code upstream}; returns the body's elements and how it ended. */
  static Pair<List<String>, StreamRelay.End> relay(
      StreamRelay relay, Source<ByteString, ?> upstream) throws Exception {
    upstream.runWith(relay.sink(), mat);
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletableFuture<StreamRelay.End> end = new CompletableFuture<>();
    List<ByteString> body =
        relay
            .body(end::complete)
            .runWith(Sink.seq(), mat)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return Pair.create(strings(body), end.get(10, TimeUnit.SECONDS));
  }

  @Test
  void everyEventIsOneElementOfTheBodyWhateverTheReads() throws Exception {
    // two events in one read, one event split over two reads
    String all = ROLE + chunk("Hel") + chunk("lo") + STOP + USAGE + DONE;
    int cut = ROLE.length() + chunk("Hel").length() + 20;
    OpenAiStream t = new OpenAiStream(false);
    StreamRelay relay = new StreamRelay(t);
    Pair<List<String>, StreamRelay.End> r =
        relay(relay, Source.from(List.of(bytes(all.substring(0, cut)), bytes(all.substring(cut)))));
    // the usage chunk the gateway asked for is read, not forwarded
    assertThat(r.first()).containsExactly(ROLE, chunk("Hel"), chunk("lo"), STOP, DONE);
    assertThat(r.second()).isEqualTo(StreamRelay.End.COMPLETE);
    assertThat(t.usage()).isEqualTo(new Usage(7, 3));
    assertThat(t.assistantMessage().path("content").asText()).isEqualTo("Hello");
    assertThat(t.contentEvents()).isEqualTo(2);
  }

  @Test
  void readyComesWithTheFirstContentAndTheHeldFramesComeFirst() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(true));
    SourceQueueWithComplete<ByteString> upstream =
        Source.<ByteString>queue(8, OverflowStrategy.backpressure()).to(relay.sink()).run(mat);
    upstream.offer(bytes(ROLE));
    upstream.offer(bytes(chunk("A")));
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(relay.contentSeen()).isTrue();
    CompletableFuture<StreamRelay.End> end = new CompletableFuture<>();
    CompletionStage<List<ByteString>> body = relay.body(end::complete).runWith(Sink.seq(), mat);
    // the rest arrives after the body started
    upstream.offer(bytes(STOP + USAGE));
    upstream.offer(bytes(DONE));
    upstream.complete();
    assertThat(strings(body.toCompletableFuture().get(10, TimeUnit.SECONDS)))
        .containsExactly(ROLE, chunk("A"), STOP, USAGE, DONE);
    assertThat(end.get(10, TimeUnit.SECONDS)).isEqualTo(StreamRelay.End.COMPLETE);
  }

  @Test
  void anEndBeforeAnyContentIsReportedWithoutContent() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    Source.single(bytes(ROLE)).runWith(relay.sink(), mat);
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(relay.contentSeen()).isFalse();
    assertThat(relay.failure()).isNull();
  }

  @Test
  void aFailureBeforeAnyContentIsReported() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    Source.single(bytes(ROLE))
        .concat(Source.failed(new IllegalStateException("reset")))
        .runWith(relay.sink(), mat);
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(relay.contentSeen()).isFalse();
    assertThat(relay.failure()).hasMessage("reset");
  }

  @Test
  void aStreamCutAfterContentEndsWithTheErrorFrameNeverDone() throws Exception {
    Pair<List<String>, StreamRelay.End> r =
        relay(new StreamRelay(new OpenAiStream(false)), Source.single(bytes(ROLE + chunk("A"))));
    assertThat(r.first()).hasSize(3).startsWith(ROLE, chunk("A")).doesNotContain(DONE);
    assertThat(r.first().get(2))
        .contains("\"code\":\"stream_failed\"")
        .contains("ended before the answer was complete");
    assertThat(r.second()).isEqualTo(StreamRelay.End.FAILED);
  }

  @Test
  void anUpstreamFailureAfterContentEndsWithTheErrorFrame() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    SourceQueueWithComplete<ByteString> upstream =
        Source.<ByteString>queue(8, OverflowStrategy.backpressure()).to(relay.sink()).run(mat);
    upstream.offer(bytes(chunk("A")));
    // the content was read: the failure comes after it
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    upstream.fail(new IllegalStateException("reset"));
    CompletableFuture<StreamRelay.End> end = new CompletableFuture<>();
    List<String> body =
        strings(
            relay
                .body(end::complete)
                .runWith(Sink.seq(), mat)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS));
    assertThat(body).hasSize(2).startsWith(chunk("A"));
    assertThat(body.get(1)).contains("\"code\":\"stream_failed\"");
    assertThat(end.get(10, TimeUnit.SECONDS)).isEqualTo(StreamRelay.End.FAILED);
    assertThat(relay.failure()).hasMessage("reset");
  }

  @Test
  void anErrorEventAfterContentEndsWithTheErrorFrame() throws Exception {
    Pair<List<String>, StreamRelay.End> r =
        relay(
            new StreamRelay(new OpenAiStream(false)),
            Source.single(
                bytes(chunk("A") + "data: {\"error\":{\"message\":\"overloaded\"}}\n\n")));
    assertThat(r.first()).hasSize(2);
    assertThat(r.first().get(1)).contains("overloaded").contains("stream_failed");
    assertThat(r.second()).isEqualTo(StreamRelay.End.FAILED);
  }

  @Test
  void aClientLeavingCancelsTheUpstream() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Done>> up =
        Source.<ByteString>queue(8, OverflowStrategy.backpressure())
            .watchTermination(Keep.both())
            .to(relay.sink())
            .run(mat);
    up.first().offer(bytes(chunk("A")));
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletableFuture<StreamRelay.End> end = new CompletableFuture<>();
    relay.body(end::complete).take(1).runWith(Sink.ignore(), mat);
    // the upstream terminates only because it was cancelled: it was never completed
    up.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(end.get(10, TimeUnit.SECONDS)).isEqualTo(StreamRelay.End.CANCELLED);
  }

  @Test
  void cancelBeforeTheBodyStopsTheUpstream() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(false));
    Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Done>> up =
        Source.<ByteString>queue(8, OverflowStrategy.backpressure())
            .watchTermination(Keep.both())
            .to(relay.sink())
            .run(mat);
    up.first().offer(bytes(ROLE));
    relay.cancel();
    up.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
    relay.ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFullWindowReadsOnWhenTheClientTakesFrames() throws Exception {
    StreamRelay relay = new StreamRelay(new OpenAiStream(true));
    AtomicInteger read = new AtomicInteger();
    CompletableFuture<Void> filled = new CompletableFuture<>();
    List<ByteString> reads = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      reads.add(bytes(chunk("t" + i)));
    }
    Source.from(reads)
        .map(
            b -> {
              if (read.incrementAndGet() == StreamRelay.WINDOW) {
                filled.complete(null);
              }
              return b;
            })
        .runWith(relay.sink(), mat);
    // the window is full before the body starts: the sink waits for the body to wake it
    filled.get(10, TimeUnit.SECONDS);
    CompletableFuture<StreamRelay.End> end = new CompletableFuture<>();
    List<ByteString> body =
        relay
            .body(end::complete)
            .runWith(Sink.seq(), mat)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertThat(read.get()).isEqualTo(200);
    // 200 chunks in order, then the error frame: the provider never sent [DONE]
    assertThat(body).hasSize(201);
    assertThat(body.get(199).utf8String()).isEqualTo(chunk("t199"));
    assertThat(end.get(10, TimeUnit.SECONDS)).isEqualTo(StreamRelay.End.FAILED);
  }
}
