package dev.kumaforge.harness;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.harness.cli.BackendsCommand;
import dev.kumaforge.harness.cli.CapacityCommand;
import dev.kumaforge.harness.cli.CertsCommand;
import dev.kumaforge.harness.cli.ChaosCommand;
import dev.kumaforge.harness.cli.ChaosProxyCommand;
import dev.kumaforge.harness.cli.CompareCommand;
import dev.kumaforge.harness.cli.GateCommand;
import dev.kumaforge.harness.cli.GatewayCommand;
import dev.kumaforge.harness.cli.HashKeyCommand;
import dev.kumaforge.harness.cli.ReportCommand;
import dev.kumaforge.harness.cli.RunCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code forge} command line. */
@Command(
    name = "forge",
    mixinStandardHelpOptions = true,
    versionProvider = Forge.Version.class,
    description = {
      "Kuma-API-Forge: what an API or AI gateway costs in latency, throughput, CPU and money,",
      "and whether it survives faults, measured side by side in one run.",
      ""
    },
    subcommands = {
      RunCommand.class,
      BackendsCommand.class,
      GatewayCommand.class,
      ChaosProxyCommand.class,
      ChaosCommand.class,
      ReportCommand.class,
      CapacityCommand.class,
      CertsCommand.class,
      HashKeyCommand.class,
      CompareCommand.class,
      GateCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 all SLOs and gates hold, 1 an SLO or gate failed, 2 the run or its input is"
          + " invalid.",
      "Start with: forge run load-scenarios/quickstart.yaml"
    })
public final class Forge implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    commonPoolOfAtLeastTwoThreads();
    nettyLeakDetectionOffUnlessSet();
    System.exit(execute(args));
  }

  /**
   * Pekko's Java-API futures (Scala's {@code FutureConverters}) run every plain {@code thenApply}
   * or {@code whenComplete} callback as its {@code *Async} form on the common fork-join pool, and
   * {@code CompletableFuture} starts a new thread per callback when that pool's parallelism is 1,
   * as it is on a 2-core machine (cores - 1). Measured in the gateway: one thread start per
   * accepted connection, about 0.2 ms of CPU each. Two threads avoid that; an explicit setting
   * wins.
   */
  static void commonPoolOfAtLeastTwoThreads() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(key, "2");
    }
  }

  /**
   * Netty's buffer leak detector samples one buffer in 128 at its default level and records a stack
   * trace at every touch of a sampled buffer: 1.4% of the gateway's CPU at 20,000 req/s (perf,
   * reference-gateway/BENCHMARK.md, "20,000 req/s: where the machine's CPU goes"), paid by the
   * gateway, the mock backends and the load generator alike. The processes {@code forge} starts are
   * measured, so it is off there; the tests, which start the same servers in their own JVM, keep
   * Netty's default. {@code -Dio.netty.leakDetection.level=simple} (or {@code paranoid}) turns it
   * back on.
   */
  static void nettyLeakDetectionOffUnlessSet() {
    String key = "io.netty.leakDetection.level";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "disabled");
    }
  }

  /** Runs {@code forge args} and returns its exit code, without exiting the JVM. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for tests that capture its output. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Forge());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof ConfigException) {
            err.println("forge: invalid input: " + ex.getMessage());
          } else {
            err.println("forge: error: " + describe(ex));
            if (System.getenv("FORGE_DEBUG") != null) {
              ex.printStackTrace(err);
            }
          }
          err.flush();
          return ExitCodes.INVALID;
        });
    cl.setExitCodeExceptionMapper(ex -> ExitCodes.INVALID);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("forge: " + ex.getMessage());
          c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
          c.getErr().flush();
          return ExitCodes.INVALID;
        });
    return cl;
  }

  private static String describe(Throwable ex) {
    String msg = ex.getMessage();
    return msg == null ? ex.getClass().getSimpleName() : msg;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints the version from the jar manifest, or the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"forge " + version(), "java " + System.getProperty("java.version")};
    }
  }

  /** The forge version. */
  public static String version() {
    String v = Forge.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
