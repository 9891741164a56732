package dev.kumaforge.load.scenario;

import dev.kumaforge.common.config.Validatable;
import dev.kumaforge.common.config.Validator;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How load is applied to each target.
 *
 * @param engine the load engine (default {@code open-loop})
 * @param warmup driven at the first phase's rate before measuring, never recorded (default 0s)
 * @param arrivals spacing of send times (default {@code constant})
 * @param burstiness for {@code gamma} arrivals: coefficient of variation of the gaps (default 1)
 * @param timeout a request fails as {@code timeout} when not complete this long after its intended
 *     send time (default 5s)
 * @param maxConnections cap of the connection pool; connections are opened when all are busy
 *     (default 256)
 * @param maxLag the run is invalid when the generator's own lag p99 exceeds this (default 10ms)
 * @param concurrency when set, the run is closed-loop: this many users, each sending its next
 *     request when the previous one completed (plus {@code thinkTime}); phases then have no rate
 * @param thinkTime closed-loop only: pause between a user's response and its next request (default
 *     0s)
 * @param phases the measured phases, run in order
 * @param request the request sent at every scheduled time (default {@code GET /})
 * @param requests instead of {@code request}: a weighted mix, one picked per send (seeded)
 * @param tenants Gatling only: API keys, one per virtual user (Zipf-skewed), or null
 * @param busyPoll open-loop only: the engine's event loop polls instead of sleeping while requests
 *     are in flight or a send is due (no wake-up latency in the figures; one busy core meanwhile)
 *     (default false)
 */
public record Workload(
    Engine engine,
    Duration warmup,
    Arrivals arrivals,
    Double burstiness,
    Duration timeout,
    Integer maxConnections,
    Duration maxLag,
    Integer concurrency,
    Duration thinkTime,
    List<Phase> phases,
    RequestSpec request,
    List<RequestSpec> requests,
    Tenants tenants,
    Boolean busyPoll)
    implements Validatable {

  /** Default request timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** Default connection pool cap. */
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  /**
   * Both engines' warm-up starts at this share of the first phase's rate and reaches that rate at
   * half time, then holds it.
   */
  public static final double WARMUP_START_SHARE = 0.1;

  /** Default generator lag p99 above which a run is invalid. */
  public static final Duration DEFAULT_MAX_LAG = Duration.ofMillis(10);

  public Workload {
    engine = engine == null ? Engine.OPEN_LOOP : engine;
    warmup = warmup == null ? Duration.ZERO : warmup;
    arrivals = arrivals == null ? Arrivals.CONSTANT : arrivals;
    burstiness = burstiness == null ? 1.0 : burstiness;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
    maxLag = maxLag == null ? DEFAULT_MAX_LAG : maxLag;
    phases = phases == null ? null : List.copyOf(phases);
    thinkTime = thinkTime == null ? Duration.ZERO : thinkTime;
    requests = requests == null ? null : List.copyOf(requests);
    busyPoll = busyPoll != null && busyPoll;
    if (request == null && requests == null) {
      request = RequestSpec.defaults();
    }
  }

  /** A workload without tenants. */
  public Workload(
      Engine engine,
      Duration warmup,
      Arrivals arrivals,
      Double burstiness,
      Duration timeout,
      Integer maxConnections,
      Duration maxLag,
      Integer concurrency,
      Duration thinkTime,
      List<Phase> phases,
      RequestSpec request,
      List<RequestSpec> requests) {
    this(
        engine,
        warmup,
        arrivals,
        burstiness,
        timeout,
        maxConnections,
        maxLag,
        concurrency,
        thinkTime,
        phases,
        request,
        requests,
        null,
        null);
  }

  /** An open-loop workload with a single request and defaults elsewhere. */
  public static Workload openLoop(
      Duration warmup,
      Arrivals arrivals,
      Duration timeout,
      Integer maxConnections,
      Duration maxLag,
      List<Phase> phases,
      RequestSpec request) {
    return new Workload(
        null,
        warmup,
        arrivals,
        null,
        timeout,
        maxConnections,
        maxLag,
        null,
        null,
        phases,
        request,
        null,
        null,
        null);
  }

  /** The same workload with {@code busyPoll} set to {@code on}. */
  public Workload withBusyPoll(boolean on) {
    return with(engine, warmup, phases, tenants, on);
  }

  /**
   * This workload on the open-loop engine with {@code warmup} and one constant phase {@code name}
   * lasting {@code duration}, at the first phase's starting rate (closed-loop: the same
   * concurrency); Gatling's tenants are dropped.
   */
  public Workload singlePhase(String name, Duration warmup, Duration duration) {
    Phase phase = Phase.constant(name, closedLoop() ? null : phases.get(0).startRate(), duration);
    return with(Engine.OPEN_LOOP, warmup, List.of(phase), null, busyPoll);
  }

  /** This workload with the given engine, warm-up, phases, tenants and busy polling. */
  private Workload with(
      Engine engine, Duration warmup, List<Phase> phases, Tenants tenants, Boolean busyPoll) {
    return new Workload(
        engine,
        warmup,
        arrivals,
        burstiness,
        timeout,
        maxConnections,
        maxLag,
        concurrency,
        thinkTime,
        phases,
        request,
        requests,
        tenants,
        busyPoll);
  }

  /** Whether the run is closed-loop ({@code concurrency} set). */
  public boolean closedLoop() {
    return concurrency != null;
  }

  /** The requests to send: the mix, or the single request. */
  public List<RequestSpec> requestMix() {
    return requests != null ? requests : List.of(request);
  }

  /** The sum of the phase durations: the measured time. */
  public Duration measuredDuration() {
    Duration total = Duration.ZERO;
    for (Phase p : phases) {
      total = total.plus(p.duration());
    }
    return total;
  }

  @Override
  public void validate(Validator v) {
    v.check(!warmup.isNegative(), "warmup", warmup, ">= 0s");
    v.check(
        Double.isFinite(burstiness) && burstiness >= 0.05 && burstiness <= 20,
        "burstiness",
        burstiness,
        "0.05 to 20");
    if (burstiness != 1.0 && arrivals != Arrivals.GAMMA) {
      v.error("burstiness", "only allowed with arrivals: gamma");
    }
    v.check(!timeout.isNegative() && !timeout.isZero(), "timeout", timeout, "> 0");
    v.check(
        maxConnections >= 1 && maxConnections <= 65_000,
        "maxConnections",
        maxConnections,
        "1 to 65000");
    v.check(!maxLag.isNegative() && !maxLag.isZero(), "maxLag", maxLag, "> 0");
    if (v.required(phases, "phases")
        && v.check(!phases.isEmpty(), "phases", "[]", "at least one phase")) {
      v.each("phases", phases, (pv, p) -> p.validate(pv, closedLoop()));
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < phases.size(); i++) {
        Phase p = phases.get(i);
        if (p != null && p.name() != null && !seen.add(p.name())) {
          v.at("phases", i).error("name", "duplicate phase name '" + p.name() + "'");
        }
      }
    }
    if (concurrency != null) {
      v.check(
          concurrency >= 1 && concurrency <= maxConnections,
          "concurrency",
          concurrency,
          "1 to maxConnections (" + maxConnections + ")");
    }
    v.check(!thinkTime.isNegative(), "thinkTime", thinkTime, ">= 0s");
    if (!thinkTime.isZero() && concurrency == null) {
      v.error("thinkTime", "only allowed with concurrency (closed-loop)");
    }
    if (engine == Engine.GATLING && concurrency != null) {
      v.error("concurrency", "not allowed with engine: gatling (Gatling runs open-loop)");
    }
    if (busyPoll && engine == Engine.GATLING) {
      v.error("busyPoll", "only allowed with engine: open-loop");
    }
    if (tenants != null) {
      tenants.validate(v.at("tenants"));
      if (engine != Engine.GATLING) {
        v.error("tenants", "only allowed with engine: gatling");
      }
    }
    if (engine != Engine.GATLING) {
      List<RequestSpec> mix =
          requests != null ? requests : request == null ? List.of() : List.of(request);
      for (int i = 0; i < mix.size(); i++) {
        RequestSpec r = mix.get(i);
        Validator rv = requests != null ? v.at("requests", i) : v.at("request");
        if (r != null && (r.turns() != 1 || !r.thinkTime().isZero())) {
          rv.error("turns", "multi-turn sessions (turns, thinkTime) only with engine: gatling");
        }
        if (r != null && r.sessionHeader() != null) {
          rv.error("sessionHeader", "multi-turn sessions only with engine: gatling");
        }
        if (r != null && !r.followUps().equals(List.of(RequestSpec.DEFAULT_FOLLOW_UP))) {
          rv.error("followUps", "multi-turn sessions only with engine: gatling");
        }
      }
    }
    if (request != null && requests != null) {
      v.error("requests", "not allowed together with request (use one of them)");
    }
    if (request != null) {
      request.validate(v.at("request"));
      if (request.name() != null) {
        v.at("request").error("name", "only allowed in a requests mix");
      }
    }
    if (requests != null
        && v.check(!requests.isEmpty(), "requests", "[]", "at least one request")) {
      v.each("requests", requests, (rv, r) -> r.validate(rv));
      Set<String> names = new HashSet<>();
      for (int i = 0; i < requests.size(); i++) {
        RequestSpec r = requests.get(i);
        if (r == null) {
          continue;
        }
        if (v.at("requests", i).required(r.name(), "name") && !names.add(r.name())) {
          v.at("requests", i).error("name", "duplicate request name '" + r.name() + "'");
        }
      }
    }
  }
}
