package dev.kumaforge.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@link UpstreamFailure#classify} for the Netty transport's exceptions, and {@link
 * UpstreamFailure#describe}.
 */
class UpstreamFailureTest {
  @Test
  void nettyConnectFailuresAreConnectErrors() {
    assertThat(UpstreamFailure.classify(new ConnectTimeoutException("connection timed out")))
        .isEqualTo(UpstreamFailure.CONNECT_ERROR);
    assertThat(
            UpstreamFailure.classify(
                new CompletionException(new ConnectException("Connection refused"))))
        .isEqualTo(UpstreamFailure.CONNECT_ERROR);
  }

  @Test
  void refusedStreamsAre503WithTheirOwnLabel() {
    UpstreamException refused =
        new UpstreamException(UpstreamFailure.REFUSED_STREAM, "RST_STREAM REFUSED_STREAM", -1);
    assertThat(UpstreamFailure.classify(new CompletionException(refused)))
        .isEqualTo(UpstreamFailure.REFUSED_STREAM);
    assertThat(UpstreamFailure.REFUSED_STREAM.status()).isEqualTo(503);
    assertThat(UpstreamFailure.REFUSED_STREAM.label()).isEqualTo("refused_stream");
    // a plain reset (RST_STREAM after processing) stays a reset
    assertThat(
            UpstreamFailure.classify(
                new IOException("upstream reset the stream (RST_STREAM INTERNAL_ERROR)")))
        .isEqualTo(UpstreamFailure.RESET);
  }

  @Test
  void nettyClosedConnectionsAreResets() {
    if (Epoll.isAvailable()) { // loads the native library that NativeIoException needs
      assertThat(UpstreamFailure.classify(new Errors.NativeIoException("recvAddress", -104)))
          .isEqualTo(UpstreamFailure.RESET);
    }
    assertThat(UpstreamFailure.classify(new PrematureChannelClosureException("closed")))
        .isEqualTo(UpstreamFailure.RESET);
    assertThat(UpstreamFailure.classify(new ClosedChannelException()))
        .isEqualTo(UpstreamFailure.RESET);
    assertThat(UpstreamFailure.classify(new IOException("upstream closed the connection")))
        .isEqualTo(UpstreamFailure.RESET);
  }

  @Test
  void aFailureWithoutAMessageIsDescribedByItsClass() {
    assertThat(UpstreamFailure.describe(new CompletionException(new ClosedChannelException())))
        .isEqualTo("java.nio.channels.ClosedChannelException");
    assertThat(UpstreamFailure.describe(new IOException(" "))).isEqualTo("java.io.IOException");
    assertThat(UpstreamFailure.describe(new CompletionException(new IOException("reset"))))
        .isEqualTo("reset");
  }
}
