package dev.kumaforge.load.gatling;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.load.scenario.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contract between a Gatling launcher and {@link ForgeSimulation}: the system properties that
 * carry the resolved scenario and the target, Gatling's exit codes, and the folder names.
 */
public final class GatlingRun {
  /** System property: path of the resolved scenario JSON ({@link Scenario#toJsonTree()}). */
  public static final String SCENARIO_PROPERTY = "forge.scenario";

  /** System property: the target's base URL {@code http://host:port[/prefix]}. */
  public static final String TARGET_URL_PROPERTY = "forge.target.url";

  /** System property: the target's name, written into {@code result.json}. */
  public static final String TARGET_NAME_PROPERTY = "forge.target.name";

  /** System property: the trial number (1-based). */
  public static final String TRIAL_PROPERTY = "forge.trial";

  /** System property: the trial folder receiving {@code latency.hlog} and {@code result.json}. */
  public static final String TRIAL_DIR_PROPERTY = "forge.trial.dir";

  /** The simulation class to pass to {@code io.gatling.app.Gatling --simulation}. */
  public static final String SIMULATION_CLASS = ForgeSimulation.class.getName();

  /** Gatling's main class. */
  public static final String GATLING_MAIN = "io.gatling.app.Gatling";

  /** Folder inside the trial folder holding Gatling's own results and HTML report. */
  public static final String GATLING_DIR = "gatling";

  /** Name of the resolved scenario file written into {@link #GATLING_DIR}. */
  public static final String SCENARIO_FILE = "scenario.json";

  /** Gatling's exit code when the run completed and every assertion held. */
  public static final int EXIT_OK = 0;

  /** Gatling's exit code when the run completed and an assertion (an SLO) failed. */
  public static final int EXIT_ASSERTIONS_FAILED = 2;

  private GatlingRun() {}

  /** Writes the resolved scenario as JSON to {@code file} (atomically). */
  public static void writeScenario(Scenario scenario, Path file) {
    AtomicFiles.writeString(file, scenario.toJsonTree().toPrettyString() + "\n");
  }

  /**
   * The system properties of a forked Gatling JVM, including Gatling's own settings (request
   * timeout from {@code workload.timeout}, no analytics).
   */
  public static Map<String, String> systemProperties(
      Scenario scenario, Path scenarioJson, URI targetUrl, String targetName, int trial, Path dir) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(SCENARIO_PROPERTY, scenarioJson.toAbsolutePath().toString());
    p.put(TARGET_URL_PROPERTY, targetUrl.toString());
    p.put(TARGET_NAME_PROPERTY, targetName);
    p.put(TRIAL_PROPERTY, Integer.toString(trial));
    p.put(TRIAL_DIR_PROPERTY, dir.toAbsolutePath().toString());
    p.put(
        "gatling.http.requestTimeout",
        Long.toString(Math.max(1, scenario.workload().timeout().toMillis())));
    p.put("gatling.data.enableAnalytics", "false");
    p.put("gatling.data.console.writePeriod", "5");
    return p;
  }
}
