package dev.kumaforge.reports.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The named metric definitions (DESIGN.md) that every report states. */
public final class MetricDefinitions {
  private MetricDefinitions() {}

  /** Metric name to its definition, in the order reports print them. */
  public static Map<String, String> all() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(
        "latency",
        "intended send -> last byte of a successful response, in microseconds; timed from the"
            + " scheduled (intended) send time, so generator stalls count against the target"
            + " (no coordinated omission)");
    m.put("ttft", "time to first token: intended send -> first content chunk");
    m.put("itl", "inter-token latency: gap between consecutive content chunks (vLLM's definition)");
    m.put("tpot", "time per output token: (E2E - TTFT) / (output tokens - 1)");
    m.put("goodput", "rate of requests meeting every SLO");
    m.put(
        "added_latency",
        "via-target minus direct (the baseline target): same percentile, same rate, same run");
    m.put(
        "throughput",
        "completed requests (successful + failed) per measured second, warm-up excluded");
    m.put("error_rate", "failed requests / all completed requests (any non-2xx, connect, timeout)");
    m.put(
        "cpu_per_request",
        "the target process's CPU time (user + system) while measured / completed requests, µs");
    m.put(
        "jit_while_measured",
        "JVM targets: the CPU time of the target's JIT compiler threads while measured, as a"
            + " share of one core (a JVM still compiling pays for it on the shared cores); with"
            + " settle, the rounds driven before the trial until a round's share was quiet");
    m.put(
        "cost_per_1k_requests",
        "1000 x the trials' cost_usd / their completed requests, USD (LLM workloads)");
    return m;
  }
}
