package dev.kumaforge.gateway.server;

import org.apache.pekko.Done;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * A connection's first request head, before anything of HTTP exists for it: sits right after {@link
 * HeaderScan} (which holds a header section until its blank line) and in front of the HTTP stack
 * that {@link Listening} materializes only when the first element gets through, so a connection
 * that never completes a request head (a slow-header, "slowloris", client) costs the socket, the
 * TLS stage and these two small stages, never Pekko's server layer.
 *
 * <pre>
 *   TCP -> [TLS] -> HeaderScan -> HeadGate -> (materialized on the first element:)
 *                                             Pekko HTTP server layer -> ConnectionGuard -> handler
 * </pre>
 *
 * <p>At the accept it counts the connection against the listener's {@code maxConnections} and
 * closes it at once when over (the count drops when the connection ends); it closes the connection
 * and counts a header timeout when the first head has not got through {@code headerTimeout} after
 * the accept; and until then it lets the listener's graceful termination close it (no request is in
 * flight on it). Once the first head got through it only passes elements on; the deadlines of later
 * requests on a keep-alive connection are {@link ConnectionGuard}'s.
 */
final class HeadGate
    extends GraphStage<FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound>> {
  private static final String DEADLINE = "first-head-deadline";

  private final Inlet<TLSProtocol.SslTlsInbound> in = Inlet.create("HeadGate.in");
  private final Outlet<TLSProtocol.SslTlsInbound> out = Outlet.create("HeadGate.out");
  private final FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound> shape =
      FlowShape.of(in, out);
  private final ConnectionGuard.Limits limits;
  private final HeaderScan.Verdict verdict;
  private final Listening.Gates gates;

  HeadGate(ConnectionGuard.Limits limits, HeaderScan.Verdict verdict, Listening.Gates gates) {
    this.limits = limits;
    this.verdict = verdict;
    this.gates = gates;
  }

  @Override
  public FlowShape<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsInbound> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private boolean counted;
      private boolean passed;
      private Runnable close;

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                if (!passed) {
                  passed = true;
                  cancelTimer(DEADLINE);
                  gates.remove(close);
                }
                push(out, grab(in));
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }

      @Override
      public void preStart() {
        verdict.accepted = System.nanoTime();
        counted = true;
        if (limits.open.incrementAndGet() > limits.maxConnections) {
          limits.refused.increment();
          completeStage();
          return;
        }
        AsyncCallback<Done> terminate = createAsyncCallback(d -> onTerminate());
        close = () -> terminate.invoke(Done.done());
        if (!gates.add(close)) {
          completeStage(); // the listener is terminating
          return;
        }
        scheduleOnce(DEADLINE, limits.headerTimeout);
      }

      private void onTerminate() {
        if (!passed) {
          completeStage();
        }
      }

      @Override
      public void onTimer(Object key) {
        if (!passed) {
          limits.headerTimeouts.increment();
          completeStage();
        }
      }

      @Override
      public void postStop() {
        if (counted) {
          limits.open.decrementAndGet();
        }
        if (close != null && !passed) {
          gates.remove(close);
        }
      }
    };
  }
}
