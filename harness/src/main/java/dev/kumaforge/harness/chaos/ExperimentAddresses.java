package dev.kumaforge.harness.chaos;

import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.Experiment;
import dev.kumaforge.chaos.experiment.Hypothesis;
import dev.kumaforge.chaos.experiment.Probe;
import dev.kumaforge.chaos.experiment.Step;
import dev.kumaforge.harness.run.GatewayConfigRewriter;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Points an experiment's URLs at this run's processes: experiments name the configured addresses (a
 * backend's {@code 127.0.0.1:18001}, the gateway's admin {@code 127.0.0.1:18081}, the Toxiproxy API
 * {@code 127.0.0.1:8474}); the run binds free ports, so every URL whose {@code host:port} is a
 * configured address gets the bound one.
 */
public final class ExperimentAddresses {
  private ExperimentAddresses() {}

  /**
   * The experiment with its URLs rewritten.
   *
   * @param boundByConfigured configured {@code host:port} -> bound {@code host:port}
   */
  public static Experiment rewrite(Experiment e, Map<String, String> boundByConfigured) {
    List<Probe> probes =
        e.hypothesis().probes().stream()
            .map(
                p ->
                    new Probe(
                        p.name(),
                        p.type(),
                        p.window(),
                        p.percentile(),
                        p.maxLatency(),
                        url(p.url(), boundByConfigured),
                        p.status(),
                        p.metric(),
                        p.min(),
                        p.max(),
                        p.during()))
            .toList();
    List<Step> method =
        e.method().stream()
            .map(
                s ->
                    new Step(s.name(), s.at(), s.duration(), action(s.action(), boundByConfigured)))
            .toList();
    List<Action> rollbacks = e.rollbacks().stream().map(a -> action(a, boundByConfigured)).toList();
    return new Experiment(
        e.name(),
        e.description(),
        e.load(),
        new Hypothesis(e.hypothesis().interval(), probes),
        method,
        e.recovery(),
        rollbacks);
  }

  private static Action action(Action a, Map<String, String> map) {
    return new Action(
        a.type(),
        url(a.api(), map),
        a.proxy(),
        a.toxic(),
        url(a.url(), map),
        a.faults(),
        a.method(),
        a.body(),
        a.status(),
        a.target(),
        a.signal(),
        a.restartAfter());
  }

  /** {@code url} with its authority replaced when it is a configured address; null stays null. */
  static String url(String url, Map<String, String> map) {
    if (url == null) {
      return null;
    }
    URI u = URI.create(url);
    if (u.getRawAuthority() == null) {
      return url;
    }
    String bound = map.get(GatewayConfigRewriter.normalize(u.getRawAuthority()));
    if (bound == null) {
      return url;
    }
    int start = url.indexOf(u.getRawAuthority());
    return url.substring(0, start) + bound + url.substring(start + u.getRawAuthority().length());
  }
}
