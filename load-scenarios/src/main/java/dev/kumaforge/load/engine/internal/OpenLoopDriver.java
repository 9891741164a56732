package dev.kumaforge.load.engine.internal;

import dev.kumaforge.common.hdr.HlogTags;
import dev.kumaforge.load.engine.LoadResult;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Drives one run on a single Netty event loop: fires every intended send at its scheduled nanoTime
 * (catching up when late), keeps the connection pool and classifies every outcome.
 *
 * <p>Every method except the counters for progress runs on the event loop, so the state needs no
 * locks. Latency is always measured from the intended send time.
 */
public final class OpenLoopDriver {
  /**
   * How long before an intended send the event loop stops sleeping and polls instead ({@code
   * epoll_wait} with timeout 0, then its due tasks; see {@link BusyPollStrategy}): a timer wake-up
   * is late by the kernel's timer slack (50 us by default, more on a VM) plus the thread's wake-up
   * time, which would count as latency. Polling handles reads meanwhile and costs at most the
   * window in CPU per send; at high rates the gaps are shorter and the loop is busy anyway. The
   * window follows the lateness of the loop's own timer wake-ups ({@link SpinWindow}).
   */
  private final SpinWindow spin = new SpinWindow();

  /** When the timer that sleeps until the next spin is due (nanoTime), 0 when none is pending. */
  private long wakeDue;

  /** Connection attempts in progress at once; more waiting requests queue for them. */
  private static final int MAX_CONCURRENT_CONNECTS = 8;

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final SocketAddress address;
  private final ArrivalSchedule schedule;
  private final TaggedRecorders recorders;
  private final Recorder progressLatency;
  private final RequestMix mix;
  private final long timeoutNanos;
  private final int maxConnections;
  private final ClientTls tls;
  private final boolean connectionPerRequest;

  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private final ArrayDeque<Req> pending = new ArrayDeque<>();
  private final List<Connection> all = new ArrayList<>();
  private long startNanos;
  private int open;
  private int connecting;
  private int peakOpen;
  // connections opened, and closed by the target, while measured requests are being sent: a
  // target that closes keep-alive connections makes its clients pay for new ones
  private boolean measuring;
  private long openedMeasured;
  private long targetClosesMeasured;
  private int inFlight;
  private boolean scheduleDone;
  private boolean finished;
  private boolean closedLoop;
  private long thinkNanos;
  private long measureStartOffset;
  private long endOffset;
  private int activeUsers;
  private boolean busyPoll;
  private long nextSendAt = Long.MAX_VALUE;

  private long attempted;
  private long completed;
  private long ok;
  private long errors;
  private long unsent;
  private final Map<String, Long> errorsByKind = new TreeMap<>();

  private final AtomicLong dispatchedAll = new AtomicLong();
  private final AtomicLong errorsAll = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  /**
   * A driver; {@code bootstrap} must use {@code loop} and no handler yet.
   *
   * @param tls TLS for every connection, or null for plain HTTP
   * @param connectionPerRequest close each connection after its response (requests must carry
   *     {@code Connection: close})
   */
  public OpenLoopDriver(
      EventLoop loop,
      Bootstrap bootstrap,
      SocketAddress address,
      ArrivalSchedule schedule,
      TaggedRecorders recorders,
      Recorder progressLatency,
      RequestMix mix,
      long timeoutNanos,
      int maxConnections,
      ClientTls tls,
      boolean connectionPerRequest) {
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.address = address;
    this.schedule = schedule;
    this.recorders = recorders;
    this.progressLatency = progressLatency;
    this.mix = mix;
    this.timeoutNanos = timeoutNanos;
    this.maxConnections = maxConnections;
    this.tls = tls;
    this.connectionPerRequest = connectionPerRequest;
  }

  /**
   * Polls the event loop instead of sleeping also while requests are in flight (not only while a
   * send is due within the spin window); the loop's {@link BusyPollStrategy} asks {@link
   * #wantsBusyPoll()}.
   */
  public void busyPoll(boolean on) {
    this.busyPoll = on;
  }

  /** Whether the event loop should poll rather than sleep now (event loop thread only). */
  public boolean wantsBusyPoll() {
    return !finished
        && ((busyPoll && inFlight > 0)
            || (nextSendAt != Long.MAX_VALUE && nextSendAt - System.nanoTime() <= spin.nanos()));
  }

  /** Starts the schedule at {@code startNanos} (a {@link System#nanoTime()} value). */
  public void start(long startNanos) {
    this.startNanos = startNanos;
    loop.execute(this::tick);
  }

  /**
   * Starts a closed-loop run at {@code startNanos}: {@code users} users each send a request, wait
   * for its outcome, pause {@code thinkNanos}, and repeat until {@code endOffsetNanos}; sends from
   * {@code measureStartOffsetNanos} on are measured. Latency then counts from the actual send.
   */
  public void startClosedLoop(
      long startNanos,
      int users,
      long thinkNanos,
      long measureStartOffsetNanos,
      long endOffsetNanos) {
    this.startNanos = startNanos;
    this.closedLoop = true;
    this.thinkNanos = thinkNanos;
    this.measureStartOffset = measureStartOffsetNanos;
    this.endOffset = endOffsetNanos;
    loop.execute(
        () -> {
          activeUsers = users;
          for (int i = 0; i < users; i++) {
            long delay = startNanos - System.nanoTime();
            loop.schedule(() -> userSend(startNanos), delay, TimeUnit.NANOSECONDS);
          }
        });
  }

  private void userSend(long intended) {
    if (scheduleDone) {
      return;
    }
    long now = System.nanoTime();
    if (intended - startNanos >= endOffset) {
      userDone();
      return;
    }
    dispatch(intended, intended - startNanos >= measureStartOffset, now, true);
  }

  private void userNext(long now) {
    long next = now + thinkNanos;
    if (scheduleDone || next - startNanos >= endOffset) {
      userDone();
      return;
    }
    loop.schedule(
        () -> userSend(next), Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void userDone() {
    activeUsers--;
    if (activeUsers == 0) {
      scheduleDone = true;
      finishIfDrained();
    }
  }

  /** Completes when every scheduled request has completed and the connections are closed. */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** Stops sending and fails what is in flight; used when a run must be abandoned. */
  public void abort() {
    loop.execute(
        () -> {
          scheduleDone = true;
          Req r;
          while ((r = pending.pollFirst()) != null) {
            if (r.measured) {
              unsent++;
            }
            complete(r, ErrorKinds.TIMEOUT, System.nanoTime());
          }
          for (Connection c : new ArrayList<>(all)) {
            c.closeChannel();
          }
          finishIfDrained();
        });
  }

  private void tick() {
    if (wakeDue != 0) {
      spin.observe(System.nanoTime() - wakeDue);
      wakeDue = 0;
    }
    if (scheduleDone) {
      return;
    }
    long next = schedule.peek();
    while (next >= 0) {
      long intended = startNanos + next;
      long now = System.nanoTime();
      long wait = intended - now;
      if (wait > 0) {
        // Sleep on a timer until the spin window before the send; from then on the event loop
        // polls (see wantsBusyPoll), handling reads, and runs this task at the exact moment. Only
        // a sleeping wake-up tells how late this machine's timers are.
        nextSendAt = intended;
        long window = spin.nanos();
        if (wait > window) {
          wakeDue = now + wait - window;
          loop.schedule(this::tick, wait - window, TimeUnit.NANOSECONDS);
        } else {
          loop.schedule(this::tick, wait, TimeUnit.NANOSECONDS);
        }
        return;
      }
      dispatch(intended, schedule.peekMeasured(), now, false);
      schedule.advance();
      next = schedule.peek();
    }
    nextSendAt = Long.MAX_VALUE;
    scheduleDone = true;
    finishIfDrained();
  }

  private void dispatch(long intended, boolean measured, long now, boolean user) {
    Req r = new Req(intended, measured, mix.next());
    r.user = user;
    dispatchedAll.incrementAndGet();
    if (measured) {
      measuring = true;
      attempted++;
      recorders.record(HlogTags.LAG, (now - intended) / 1000);
    }
    inFlight++;
    r.timeout =
        loop.schedule(() -> onTimeout(r), intended + timeoutNanos - now, TimeUnit.NANOSECONDS);
    Connection c = idle.pollLast();
    if (c != null) {
      c.send(r);
    } else {
      pending.addLast(r);
      maybeConnect();
    }
  }

  /**
   * Opens {@code count} connections before the run starts (the pool still grows on demand); the
   * future completes when every attempt succeeded or failed.
   */
  public CompletableFuture<Void> preconnect(int count) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    loop.execute(
        () -> {
          int n = Math.min(count, maxConnections);
          if (n <= 0) {
            ready.complete(null);
            return;
          }
          int[] left = {n};
          for (int i = 0; i < n; i++) {
            openConnection(
                () -> {
                  if (--left[0] == 0) {
                    ready.complete(null);
                  }
                });
          }
        });
    return ready;
  }

  /** Opens connections for waiting requests: at most a few attempts at a time, up to the cap. */
  private void maybeConnect() {
    while (!finished
        && pending.size() > connecting
        && connecting < MAX_CONCURRENT_CONNECTS
        && open < maxConnections) {
      openConnection(null);
    }
  }

  /** Whether measured requests are being sent (connections are counted then). */
  private boolean inMeasuredWindow() {
    return measuring && !scheduleDone;
  }

  private void openConnection(Runnable after) {
    if (inMeasuredWindow()) {
      openedMeasured++;
    }
    open++;
    connecting++;
    peakOpen = Math.max(peakOpen, open);
    Connection c = new Connection();
    ChannelFuture f = bootstrap.clone().handler(c).connect(address);
    c.channel = f.channel();
    all.add(c);
    f.addListener(
        future -> {
          connecting--;
          if (!future.isSuccess()) {
            all.remove(c);
            open--;
            Req r = pending.pollFirst();
            if (r != null) {
              complete(r, ErrorKinds.classify(future.cause(), true), System.nanoTime());
            }
            if (after != null) {
              after.run();
            }
            maybeConnect();
            return;
          }
          c.channel.closeFuture().addListener(cf -> onClosed(c));
          release(c);
          if (after != null) {
            after.run();
          }
        });
  }

  private void onClosed(Connection c) {
    if (!c.closedByUs && !finished && inMeasuredWindow()) {
      targetClosesMeasured++;
    }
    open--;
    all.remove(c);
    idle.remove(c);
    Req r = c.current;
    c.current = null;
    if (r != null) {
      complete(r, ErrorKinds.RESET, System.nanoTime());
    }
    maybeConnect();
    finishIfDrained();
  }

  private void release(Connection c) {
    if (!c.channel.isActive()) {
      return;
    }
    Req next = pending.pollFirst();
    if (next != null) {
      c.send(next);
    } else {
      idle.addLast(c);
    }
    finishIfDrained();
  }

  private void onTimeout(Req r) {
    if (r.done) {
      return;
    }
    Connection c = r.connection;
    if (pending.remove(r) && r.measured) {
      unsent++;
    }
    complete(r, ErrorKinds.TIMEOUT, System.nanoTime());
    if (c != null) {
      c.current = null;
      c.closeChannel();
    }
  }

  private void complete(Req r, String errorKind, long now) {
    if (r.done) {
      return;
    }
    r.done = true;
    if (r.timeout != null) {
      r.timeout.cancel(false);
    }
    inFlight--;
    long micros = (now - r.intended) / 1000;
    progressLatency.recordValue(TaggedRecorders.clamp(micros));
    if (errorKind != null) {
      errorsAll.incrementAndGet();
    }
    if (r.measured) {
      completed++;
      if (errorKind == null) {
        ok++;
        recorders.record(HlogTags.LATENCY, micros);
      } else {
        errors++;
        errorsByKind.merge(errorKind, 1L, Long::sum);
        recorders.record(HlogTags.ERROR, micros);
      }
    }
    if (r.user) {
      userNext(now);
    }
    finishIfDrained();
  }

  private void finishIfDrained() {
    if (!scheduleDone || inFlight > 0 || finished) {
      return;
    }
    finished = true;
    List<ChannelFuture> closes = new ArrayList<>();
    for (Connection c : new ArrayList<>(all)) {
      c.closedByUs = true;
      closes.add(c.channel.close());
    }
    if (closes.isEmpty()) {
      done.complete(null);
      return;
    }
    AtomicLong left = new AtomicLong(closes.size());
    for (ChannelFuture cf : closes) {
      cf.addListener(
          x -> {
            if (left.decrementAndGet() == 0) {
              done.complete(null);
            }
          });
    }
  }

  /**
   * Records TTFT (intended send to first content event) and TPOT ((E2E - TTFT) / (output tokens -
   * 1), output tokens from {@code usage}, else the number of content events).
   */
  private void recordStream(Req r, long now) {
    long ttft = r.firstContent - r.intended;
    recorders.record(HlogTags.TTFT, ttft / 1000);
    long tokens = r.outputTokens >= 0 ? r.outputTokens : r.contentEvents;
    if (tokens > 1) {
      recorders.record(HlogTags.TPOT, (now - r.intended - ttft) / 1000 / (tokens - 1));
    }
  }

  /** Requests dispatched so far, warm-up included (any thread). */
  public long dispatchedSoFar() {
    return dispatchedAll.get();
  }

  /** Failed requests so far, warm-up included (any thread). */
  public long errorsSoFar() {
    return errorsAll.get();
  }

  /** The counters of the measured window; read after {@link #done()} completed. */
  public Counts counts() {
    return new Counts(
        attempted,
        completed,
        ok,
        errors,
        unsent,
        Map.copyOf(errorsByKind),
        peakOpen,
        new LoadResult.Connections(openedMeasured, targetClosesMeasured),
        new LoadResult.SpinWindow(
            spin.nanos() / 1000, spin.lowest() / 1000, spin.highest() / 1000));
  }

  /**
   * Counters of the measured window.
   *
   * @param attempted measured requests dispatched
   * @param completed measured requests finished (ok or error)
   * @param ok 2xx responses
   * @param errors everything else
   * @param unsent requests that timed out waiting for a free connection
   * @param errorsByKind errors per kind
   * @param maxConnectionsUsed peak number of open connections (warm-up included)
   * @param connections connections opened and closed by the target while measured
   * @param spinWindow the spin window before each send at the end, and its range over the run
   */
  public record Counts(
      long attempted,
      long completed,
      long ok,
      long errors,
      long unsent,
      Map<String, Long> errorsByKind,
      int maxConnectionsUsed,
      LoadResult.Connections connections,
      LoadResult.SpinWindow spinWindow) {}

  /** One scheduled request. */
  private static final class Req {
    final long intended;
    final boolean measured;
    ScheduledFuture<?> timeout;
    Connection connection;
    boolean done;
    long firstContent;
    long lastContent;
    long contentEvents;
    long outputTokens = -1;

    final RequestTemplate template;
    boolean user;

    Req(long intended, boolean measured, RequestTemplate template) {
      this.intended = intended;
      this.measured = measured;
      this.template = template;
    }
  }

  /** One HTTP/1.1 keep-alive connection carrying one request at a time. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    Channel channel;
    Req current;
    int status;
    boolean keepAlive;
    boolean closedByUs;
    boolean streaming;
    boolean streamEnded;
    boolean streamFailed;
    long chunkTime;
    final SseParser sse = new SseParser(this::onEvent);
    final ArrivalClock arrival = new ArrivalClock(System::nanoTime);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // requests are written pre-encoded (RequestTemplate.encoded), so only a decoder
      ctx.pipeline().addBefore(ctx.name(), "http", new ResponseDecoder());
      if (tls != null) {
        ctx.pipeline().addBefore("http", "tls", tls.newHandler(ctx.alloc()));
      }
      // first: a response's end counts when its bytes arrived, not when they were decoded
      ctx.pipeline().addFirst("arrival", arrival);
    }

    /**
     * Decodes answers; knows, as HttpClientCodec would from its encoder, that the answer to a HEAD
     * request has no body.
     */
    private final class ResponseDecoder extends HttpResponseDecoder {
      @Override
      protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        Req r = current;
        return (r != null
                && r.template.head()
                && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL)
            || super.isContentAlwaysEmpty(msg);
      }
    }

    void send(Req r) {
      current = r;
      r.connection = this;
      status = 0;
      keepAlive = true;
      channel
          .writeAndFlush(r.template.encoded())
          .addListener(
              f -> {
                if (!f.isSuccess() && current == r) {
                  current = null;
                  complete(r, ErrorKinds.classify(f.cause(), false), System.nanoTime());
                  closeChannel();
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        Req r = current;
        if (msg instanceof HttpResponse resp) {
          if (resp.decoderResult().isFailure() || r == null) {
            fail(ErrorKinds.PROTOCOL);
            return;
          }
          status = resp.status().code();
          keepAlive = HttpUtil.isKeepAlive(resp);
          String type = resp.headers().get(HttpHeaderNames.CONTENT_TYPE);
          streaming = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
          sse.reset();
          streamEnded = false;
          streamFailed = false;
        }
        if (msg instanceof HttpContent content) {
          if (content.decoderResult().isFailure()) {
            fail(ErrorKinds.classify(content.decoderResult().cause(), false));
            return;
          }
          if (streaming && r != null && content.content().isReadable()) {
            chunkTime = arrival.now();
            sse.feed(content.content());
          }
          if (msg instanceof LastHttpContent && r != null) {
            long now = arrival.now();
            current = null;
            boolean ok = status >= 200 && status < 300;
            String error = ok ? null : ErrorKinds.status(status);
            if (ok && streaming) {
              // A 200 stream that failed in-band or lost its end is a failed request.
              error =
                  streamFailed
                      ? ErrorKinds.STREAM_ERROR
                      : streamEnded ? null : ErrorKinds.STREAM_INCOMPLETE;
            }
            if (error == null && streaming && r.measured && r.contentEvents > 0) {
              recordStream(r, now);
            }
            complete(r, error, now);
            if (keepAlive && !connectionPerRequest) {
              release(this);
            } else {
              if (keepAlive || connectionPerRequest) {
                closeChannel();
              } else {
                channel.close(); // the target's Connection: close, counted as its close
              }
            }
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void onEvent(String event, String data) {
      Req r = current;
      if (r == null) {
        return;
      }
      StreamEvents.Info info = StreamEvents.classify(data);
      if (info.terminal()) {
        streamEnded = true;
      }
      if (info.error() || "error".equals(event)) {
        streamFailed = true;
      }
      if (info.outputTokens() >= 0) {
        r.outputTokens = info.outputTokens();
      }
      if (!info.content()) {
        return;
      }
      if (r.contentEvents == 0) {
        r.firstContent = chunkTime;
      } else if (r.measured && status >= 200 && status < 300) {
        recorders.record(HlogTags.ITL, (chunkTime - r.lastContent) / 1000);
      }
      r.lastContent = chunkTime;
      r.contentEvents++;
    }

    private void fail(String kind) {
      Req r = current;
      current = null;
      if (r != null) {
        complete(r, kind, System.nanoTime());
      }
      closeChannel();
    }

    /** Closes the connection from this side (not counted as a close by the target). */
    void closeChannel() {
      closedByUs = true;
      channel.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ErrorKinds.classify(cause, false));
    }
  }
}
