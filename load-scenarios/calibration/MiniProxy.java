// Calibration (issue #4): the least a JVM Netty HTTP/1.1 reverse proxy costs on this machine, to
// put next to nginx and the reference gateway in one `forge run` (an `external` target). Not part of
// the build; a floor, not a design: no routing, auth, timeouts (but connect), streaming or metrics.
// nginx-like: N epoll event loops, each client connection served on its loop, upstream keep-alive
// connections pooled per event loop and registered on the same loop (no thread hop).
// Server: HttpServerCodec + HttpObjectAggregator; client: HttpClientCodec + HttpObjectAggregator.
// Hop-by-hop headers dropped; a pooled upstream connection found dead gets one retry on a new one;
// a failed connect answers 502. The figures are in reference-gateway/BENCHMARK.md, "A minimal
// Netty proxy at 20,000 req/s".
//
// Build (Netty from the local Maven repository, the version in the root pom):
//   CP=$(find ~/.m2/repository/io/netty -name '*-4.2.18.Final*.jar' ! -name '*sources*' | tr '\n' ':')
//   javac -d /tmp/miniproxy -cp "$CP" load-scenarios/calibration/MiniProxy.java
// Run:
//   java -Dio.netty.leakDetection.level=disabled -cp "$CP:/tmp/miniproxy" MiniProxy \
//       127.0.0.1:18090 @RUN_FOLDER.partial/backends/ready.json 2
//   args: [listenHost:port] [upstream] [loops]; upstream is host:port, or @path of forge's
//   backends/ready.json (forge starts the mock on ephemeral ports: the first "http://host:port" in
//   it is used, re-read whenever a new upstream connection is opened, so the proxy can start before
//   the backends exist). Then add `{name: miniproxy, type: external, url: http://127.0.0.1:18090}`
//   to the scenario's targets. forge samples no CPU for an external target: read the proxy's
//   /proc/PID/stat (utime + stime) over each trial's measured window (result.json's started_at
//   and duration_s).
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class MiniProxy {
  static final int MAX_BODY = 1 << 20;
  static final int MAX_IDLE_PER_LOOP = 256;
  static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
  static String upstreamSpec;

  /** Idle upstream channels of the current event loop. */
  static final FastThreadLocal<ArrayDeque<Channel>> IDLE =
      new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
          return new ArrayDeque<>();
        }
      };

  static final FastThreadLocal<Bootstrap> CLIENT = new FastThreadLocal<>();

  public static void main(String[] args) throws Exception {
    String listen = args.length > 0 ? args[0] : "127.0.0.1:18090";
    upstreamSpec = args.length > 1 ? args[1] : "127.0.0.1:18001";
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    int colon = listen.lastIndexOf(':');
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.ALLOCATOR, ALLOC)
            .childOption(ChannelOption.ALLOCATOR, ALLOC)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_BODY))
                        .addLast(new Frontend());
                  }
                });
    Channel server =
        sb.bind(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)))
            .sync()
            .channel();
    System.out.println(
        "MiniProxy listening on " + listen + " -> " + upstreamSpec + ", " + threads + " loops");
    server.closeFuture().sync();
  }

  static final Pattern URL = Pattern.compile("http://([^:/\"]+):(\\d+)");

  static InetSocketAddress upstream() throws Exception {
    String spec = upstreamSpec;
    if (spec.startsWith("@")) {
      Matcher m = URL.matcher(Files.readString(Path.of(spec.substring(1))));
      if (!m.find()) throw new IllegalStateException("no upstream URL in " + spec);
      return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }
    int c = spec.lastIndexOf(':');
    return new InetSocketAddress(spec.substring(0, c), Integer.parseInt(spec.substring(c + 1)));
  }

  static Bootstrap client(EventLoop loop) {
    Bootstrap b = CLIENT.get();
    if (b == null) {
      b =
          new Bootstrap()
              .group(loop)
              .channel(EpollSocketChannel.class)
              .option(ChannelOption.ALLOCATOR, ALLOC)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(MAX_BODY))
                          .addLast(new Backend());
                    }
                  });
      CLIENT.set(b);
    }
    return b;
  }

  /** Removes hop-by-hop headers (RFC 9110 7.6.1), including those named in Connection. */
  static void stripHopByHop(HttpHeaders h) {
    String conn = h.get(HttpHeaderNames.CONNECTION);
    if (conn != null) {
      for (String name : conn.split(",")) {
        String n = name.trim();
        if (!n.isEmpty()) h.remove(n);
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    h.remove("keep-alive");
    h.remove("proxy-connection");
    h.remove(HttpHeaderNames.TE);
    h.remove(HttpHeaderNames.TRAILER);
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    h.remove(HttpHeaderNames.UPGRADE);
  }

  /** One client connection. Requests are proxied one at a time, in order (pipelining-safe). */
  static final class Frontend extends SimpleChannelInboundHandler<FullHttpRequest> {
    Channel client;
    final ArrayDeque<FullHttpRequest> queue = new ArrayDeque<>(2);
    FullHttpRequest inFlight;
    boolean inFlightKeepAlive;
    boolean inFlightReused;

    Frontend() {
      super(false); // we own the request
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      client = ctx.channel();
      super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (inFlight != null) {
        queue.add(req);
      } else {
        start(req);
      }
    }

    void start(FullHttpRequest req) {
      inFlight = req;
      inFlightKeepAlive = HttpUtil.isKeepAlive(req);
      HttpHeaders h = req.headers();
      stripHopByHop(h);
      req.setProtocolVersion(HttpVersion.HTTP_1_1);
      // the aggregator set Content-Length
      Channel up;
      ArrayDeque<Channel> idle = IDLE.get();
      while ((up = idle.pollLast()) != null && !up.isActive()) {}
      if (up != null) {
        send(up, true);
      } else {
        InetSocketAddress addr;
        try {
          addr = upstream();
        } catch (Exception e) {
          fail(HttpResponseStatus.BAD_GATEWAY);
          return;
        }
        client(client.eventLoop())
            .connect(addr)
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (f.isSuccess()) send(f.channel(), false);
                      else fail(HttpResponseStatus.BAD_GATEWAY);
                    });
      }
    }

    void send(Channel up, boolean reused) {
      inFlightReused = reused;
      up.pipeline().get(Backend.class).owner = this;
      inFlight.retain(); // keep it for a retry if a reused connection turns out dead
      up.writeAndFlush(inFlight, up.voidPromise());
    }

    /** The upstream answered. */
    void answered(Channel up, FullHttpResponse res) {
      boolean upKeepAlive = HttpUtil.isKeepAlive(res);
      FullHttpRequest req = inFlight;
      inFlight = null;
      req.release();
      if (upKeepAlive) {
        ArrayDeque<Channel> idle = IDLE.get();
        if (idle.size() < MAX_IDLE_PER_LOOP) idle.addLast(up);
        else up.close();
      } else {
        up.close();
      }
      stripHopByHop(res.headers());
      HttpUtil.setContentLength(res, res.content().readableBytes());
      if (!client.isActive()) {
        res.release();
        drain();
        return;
      }
      if (inFlightKeepAlive) {
        if (req.protocolVersion() == HttpVersion.HTTP_1_0) {
          res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        client.writeAndFlush(res, client.voidPromise());
        next();
      } else {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        client.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        drain();
      }
    }

    /** The upstream connection went away before answering. */
    void upstreamLost() {
      if (inFlight == null) return;
      if (inFlightReused) {
        // stale pooled connection: retry once on a new one (the retained copy is still ours)
        FullHttpRequest req = inFlight;
        inFlight = null;
        req.content().readerIndex(0);
        start(req);
      } else {
        fail(HttpResponseStatus.BAD_GATEWAY);
      }
    }

    void fail(HttpResponseStatus status) {
      FullHttpRequest req = inFlight;
      inFlight = null;
      if (req != null) req.release(req.refCnt());
      if (!client.isActive()) {
        drain();
        return;
      }
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      client.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      drain();
    }

    void next() {
      FullHttpRequest req = queue.poll();
      if (req != null) start(req);
    }

    void drain() {
      FullHttpRequest r;
      while ((r = queue.poll()) != null) r.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      drain();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** One upstream connection; owner is the client connection whose request it carries. */
  static final class Backend extends SimpleChannelInboundHandler<FullHttpResponse> {
    Frontend owner;

    Backend() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      Frontend o = owner;
      owner = null;
      if (o == null) {
        res.release();
        ctx.close();
        return;
      }
      o.answered(ctx.channel(), res);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Frontend o = owner;
      owner = null;
      if (o != null) o.upstreamLost();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
