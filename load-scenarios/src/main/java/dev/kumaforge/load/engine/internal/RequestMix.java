package dev.kumaforge.load.engine.internal;

import dev.kumaforge.load.scenario.RequestSpec;
import java.net.URI;
import java.util.List;
import java.util.SplittableRandom;

/** Picks the request of each send from a weighted mix, seeded so that runs repeat exactly. */
public final class RequestMix {
  private final RequestTemplate[] templates;
  private final double[] cumulative;
  private final SplittableRandom random;

  /** A mix of {@code specs} against {@code base}; {@code close}: send Connection: close. */
  public RequestMix(List<RequestSpec> specs, URI base, long seed, boolean close) {
    templates = new RequestTemplate[specs.size()];
    cumulative = new double[specs.size()];
    double sum = 0;
    for (int i = 0; i < specs.size(); i++) {
      templates[i] = new RequestTemplate(specs.get(i), base, close);
      sum += specs.get(i).weight();
      cumulative[i] = sum;
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= sum;
    }
    random = new SplittableRandom(seed);
  }

  /** The template of the next send. */
  public RequestTemplate next() {
    if (templates.length == 1) {
      return templates[0];
    }
    double x = random.nextDouble();
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (x < cumulative[i]) {
        return templates[i];
      }
    }
    return templates[templates.length - 1];
  }
}
