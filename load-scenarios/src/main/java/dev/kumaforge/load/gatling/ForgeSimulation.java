package dev.kumaforge.load.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;

import dev.kumaforge.common.config.YamlConfig;
import dev.kumaforge.load.gatling.internal.Conversation;
import dev.kumaforge.load.gatling.internal.GatlingRecorder;
import dev.kumaforge.load.gatling.internal.GatlingRecorder.Exchange;
import dev.kumaforge.load.gatling.internal.ZipfPicker;
import dev.kumaforge.load.scenario.Arrivals;
import dev.kumaforge.load.scenario.Engine;
import dev.kumaforge.load.scenario.Phase;
import dev.kumaforge.load.scenario.RequestSpec;
import dev.kumaforge.load.scenario.Scenario;
import dev.kumaforge.load.scenario.Slos;
import dev.kumaforge.load.scenario.Tenants;
import dev.kumaforge.load.scenario.Workload;
import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.gatling.javaapi.http.SseConnectActionBuilder;
import io.gatling.javaapi.http.SseMessageCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Gatling simulation of a forge scenario: one Gatling scenario per entry of the request mix
 * (plain chat, streaming chat over SSE, multi-turn sessions with think time), injected open-loop at
 * the entry's share of every phase's rate ({@code constantUsersPerSec}, {@code rampUsersPerSec},
 * steps as constant stages; Poisson or Gamma arrivals as Gatling's randomized injection), each
 * virtual user carrying one API key of the tenant population. The rate counts virtual users: a
 * session of {@code turns} requests is one user.
 *
 * <p>It reads the resolved scenario and the target from the system properties of {@link
 * GatlingRun}, records every request in microseconds into the trial's {@code latency.hlog} (tags
 * {@code latency} and {@code error}; {@code ttft}, {@code itl}, {@code tpot} for streams) and
 * writes {@code result.json} in {@link #after()}; the SLOs become Gatling assertions on the {@code
 * measured} group (milliseconds, rounded up).
 */
public final class ForgeSimulation extends Simulation {
  private static final String EXCHANGE = "forge.exchange";
  private static final String NEXT_INTENDED = "forge.nextIntended";
  private static final String TENANT = "forge.tenant";
  private static final String CONVERSATION = "forge.conversation";
  private static final String LAST_BODY = "forge.lastBody";
  private static final String SSE_NAME = "forge.sse";
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

  /** Gatling group of the measured requests; the SLO assertions apply to it only. */
  public static final String MEASURED_GROUP = "measured";

  /** Gatling group of the warm-up requests. */
  public static final String WARMUP_GROUP = "warmup";

  private final GatlingRecorder recorder;

  /** Builds the simulation from the system properties of {@link GatlingRun}. */
  public ForgeSimulation() {
    Path scenarioFile = Path.of(required(GatlingRun.SCENARIO_PROPERTY));
    Scenario scenario;
    try {
      scenario =
          YamlConfig.bind(
              YamlConfig.jsonMapper().readTree(Files.readString(scenarioFile)),
              scenarioFile.toString(),
              Scenario.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + scenarioFile, e);
    }
    Workload w = scenario.workload();
    if (w.engine() != Engine.GATLING) {
      throw new IllegalArgumentException(
          scenarioFile + ": workload.engine is " + w.engine() + " (expected: gatling)");
    }
    String base = required(GatlingRun.TARGET_URL_PROPERTY);
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI.create(base);
    int trial = Integer.parseInt(required(GatlingRun.TRIAL_PROPERTY));
    List<RequestSpec> mix = w.requestMix();
    double weights = mix.stream().mapToDouble(RequestSpec::weight).sum();
    double intendedRequests = 0;
    for (Phase p : w.phases()) {
      for (RequestSpec r : mix) {
        intendedRequests += p.expectedRequests() * r.weight() / weights * r.turns();
      }
    }
    double measuredSeconds = w.measuredDuration().toNanos() / 1e9;
    recorder =
        new GatlingRecorder(
            Path.of(required(GatlingRun.TRIAL_DIR_PROPERTY)),
            required(GatlingRun.TARGET_NAME_PROPERTY),
            trial,
            w.warmup().toNanos(),
            w.measuredDuration().toNanos(),
            w.timeout().toNanos(),
            intendedRequests / measuredSeconds);
    long seed = scenario.seed() * 0x9E3779B97F4A7C15L + trial;
    ZipfPicker tenants =
        w.tenants() == null
            ? null
            : new ZipfPicker(w.tenants().count(), w.tenants().skew(), seed ^ 0x7E4A47L);

    HttpProtocolBuilder protocol =
        http.baseUrl(base).shareConnections().maxConnectionsPerHost(w.maxConnections());
    List<PopulationBuilder> populations = new ArrayList<>();
    for (RequestSpec r : mix) {
      String name = r.name() == null ? "request" : r.name();
      ScenarioBuilder sb = scenario(name).exec(session(r, w.tenants(), tenants));
      populations.add(sb.injectOpen(injection(w, r.weight() / weights)));
    }
    setUp(populations).protocols(protocol).assertions(assertions(scenario.slos()));
  }

  @Override
  public void after() {
    recorder.finish();
  }

  /** A user's chain: pick its tenant, then {@code turns} requests with think time in between. */
  private ChainBuilder session(RequestSpec r, Tenants tenantSpec, ZipfPicker tenants) {
    ChainBuilder start =
        exec(
            s -> {
              Session out = s.set(NEXT_INTENDED, recorder.userStarted());
              if (r.session()) {
                out =
                    out.set(
                        CONVERSATION,
                        Conversation.start(r.body(), r.followUps(), r.sessionHeader() != null));
              }
              return tenants == null
                  ? out
                  : out.set(TENANT, tenantSpec.headerValue(tenants.next()));
            });
    ChainBuilder turn = exec(request(r, tenantSpec));
    if (r.turns() == 1) {
      return start.exec(turn);
    }
    ChainBuilder thinkThenTurn =
        r.thinkTime().isZero()
            ? exec(s -> s.set(NEXT_INTENDED, System.nanoTime())).exec(turn)
            : exec(s -> s)
                .pause(r.thinkTime())
                .exec(s -> s.set(NEXT_INTENDED, System.nanoTime()))
                .exec(turn);
    return start.exec(turn).repeat(r.turns() - 1).on(thinkThenTurn);
  }

  private static Conversation conversation(Session s) {
    return s.get(CONVERSATION);
  }

  /** One timed request: begin, Gatling's HTTP exchange (or SSE stream), then record. */
  private ChainBuilder request(RequestSpec r, Tenants tenantSpec) {
    String name = r.name() == null ? "request" : r.name();
    if (r.body() != null && STREAM.matcher(r.body()).find()) {
      return stream(r, name, tenantSpec);
    }
    HttpRequestActionBuilder req =
        http(name)
            .httpRequest(r.method(), r.path())
            .headers(r.headers())
            .transformResponse(
                (response, s) -> {
                  Exchange x = s.get(EXCHANGE);
                  recorder.responded(x, response.status().code());
                  return response;
                });
    if (r.session()) {
      req = req.body(StringBody(s -> conversation(s).body())).check(bodyString().saveAs(LAST_BODY));
      if (r.sessionHeader() != null) {
        req = req.header(r.sessionHeader(), s -> "forge-" + s.userId());
      }
    } else if (r.body() != null) {
      String body = r.body();
      req = req.body(StringBody(s -> body));
    }
    if (tenantSpec != null) {
      req = req.header(tenantSpec.header(), s -> s.getString(TENANT));
    }
    ChainBuilder timed =
        exec(s -> s.set(EXCHANGE, recorder.begin(s.getLong(NEXT_INTENDED))))
            .exec(req)
            .exec(
                s -> {
                  recorder.finished(s.get(EXCHANGE));
                  if (r.session()) {
                    conversation(s)
                        .answered(
                            Conversation.answerOf(
                                s.contains(LAST_BODY) ? s.getString(LAST_BODY) : null));
                    return s.remove(LAST_BODY);
                  }
                  return s;
                });
    return doIfOrElse(s -> recorder.measured(s.getLong(NEXT_INTENDED)))
        .then(group(MEASURED_GROUP).on(timed))
        .orElse(group(WARMUP_GROUP).on(timed));
  }

  /**
   * A streamed request through Gatling's SSE support: every event is timed as it arrives (TTFT,
   * ITL, TPOT like the open-loop engine) until {@code [DONE]} or Anthropic's {@code message_stop}
   * (a stream that ends otherwise fails when the workload's timeout expires).
   */
  private ChainBuilder stream(RequestSpec r, String name, Tenants tenantSpec) {
    SseConnectActionBuilder connect = sse(name, SSE_NAME).post(r.path()).headers(r.headers());
    if (r.session()) {
      connect = connect.body(StringBody(s -> conversation(s).body()));
      if (r.sessionHeader() != null) {
        connect = connect.header(r.sessionHeader(), s -> "forge-" + s.userId());
      }
    } else {
      String body = r.body();
      connect = connect.body(StringBody(s -> body));
    }
    if (tenantSpec != null) {
      connect = connect.header(tenantSpec.header(), s -> s.getString(TENANT));
    }
    Duration timeout = Duration.ofNanos(recorder.timeoutNanos());
    boolean session = r.session();
    ChainBuilder timed =
        exec(s -> {
              Exchange x = recorder.begin(s.getLong(NEXT_INTENDED));
              return s.markAsSucceeded().set(EXCHANGE, session ? x.collectContent() : x);
            })
            .exec(connect.await(timeout).on(wholeStream(name)))
            .exec(sse(name + " close", SSE_NAME).close())
            .exec(
                s -> {
                  Exchange x = s.get(EXCHANGE);
                  recorder.finished(x);
                  if (session) {
                    conversation(s).answered(x.content());
                  }
                  return s;
                });
    return doIfOrElse(s -> recorder.measured(s.getLong(NEXT_INTENDED)))
        .then(group(MEASURED_GROUP).on(timed))
        .orElse(group(WARMUP_GROUP).on(timed));
  }

  /**
   * One check for the whole stream: Gatling evaluates its {@code matching} condition on every event
   * as it arrives, which times the event; it matches the last one.
   */
  private SseMessageCheck wholeStream(String name) {
    return sse.checkMessage(name + " stream")
        .matching(
            bodyString()
                .transformWithSession(
                    (message, s) -> recorder.streamEvent(s.get(EXCHANGE), message))
                .is(true))
        .check(bodyString().exists());
  }

  /** The workload's phases at {@code share} of their rate, as Gatling open injection steps. */
  static List<OpenInjectionStep> injection(Workload w, double share) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    boolean randomized = w.arrivals() != Arrivals.CONSTANT;
    Phase first = w.phases().get(0);
    if (!w.warmup().isZero() && first.startRate().perSecond() > 0) {
      // the same warm-up as the open-loop engine: a ramp from a tenth of the rate, then the rate
      double r = first.startRate().perSecond() * share;
      Duration half = w.warmup().dividedBy(2);
      var ramp = rampUsersPerSec(r * Workload.WARMUP_START_SHARE).to(r).during(half);
      steps.add(randomized ? ramp.randomized() : ramp);
      steps.add(constant(r, w.warmup().minus(half), randomized));
    }
    for (Phase p : w.phases()) {
      switch (p.type()) {
        case CONSTANT ->
            steps.add(constant(p.rate().perSecond() * share, p.duration(), randomized));
        case RAMP -> {
          var ramp =
              rampUsersPerSec(p.from().perSecond() * share)
                  .to(p.to().perSecond() * share)
                  .during(p.duration());
          steps.add(randomized ? ramp.randomized() : ramp);
        }
        case STEP -> {
          int n = p.steps();
          Duration each = p.duration().dividedBy(n);
          for (int i = 0; i < n; i++) {
            double rate =
                p.from().perSecond() + (p.to().perSecond() - p.from().perSecond()) * i / (n - 1);
            steps.add(constant(rate * share, each, randomized));
          }
        }
      }
    }
    return steps;
  }

  private static OpenInjectionStep constant(double rate, Duration d, boolean randomized) {
    if (rate <= 0) {
      return io.gatling.javaapi.core.CoreDsl.nothingFor(d);
    }
    var step = constantUsersPerSec(rate).during(d);
    return randomized ? step.randomized() : step;
  }

  /** The SLOs as Gatling assertions: latency percentiles in ms (rounded up), error percentage. */
  static List<Assertion> assertions(Slos slos) {
    List<Assertion> out = new ArrayList<>();
    slos.latency()
        .forEach(
            (key, d) -> {
              int ms = (int) Math.min(Integer.MAX_VALUE, (d.toNanos() + 999_999) / 1_000_000);
              double p = Slos.percentileOf(key);
              out.add(
                  p >= 100.0
                      ? details(MEASURED_GROUP).responseTime().max().lte(ms)
                      : details(MEASURED_GROUP).responseTime().percentile(p).lte(ms));
            });
    if (slos.errorRate() != null) {
      out.add(
          details(MEASURED_GROUP).failedRequests().percent().lte(slos.errorRate().value() * 100.0));
    }
    return out;
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(
          "system property " + property + " is not set (the forge Gatling launcher sets it)");
    }
    return v;
  }
}
