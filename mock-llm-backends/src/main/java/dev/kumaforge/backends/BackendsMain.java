package dev.kumaforge.backends;

import dev.kumaforge.backends.config.BackendsConfig;
import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.files.ReadyFile;
import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.common.process.ReadyLine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Standalone entry point, the same as {@code forge backends}: {@code --config FILE
 * [--ephemeral-ports] [--ready-file FILE]}. Prints {@code READY <provider> <url>} lines, writes the
 * ready file, and serves until the process is stopped.
 */
public final class BackendsMain {
  private BackendsMain() {}

  /** Runs the command; exits with 2 on bad arguments or config. */
  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("backends: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(ExitCodes.INVALID);
      return;
    }
    MockBackends backends;
    try {
      backends = start(options, System.out);
    } catch (ConfigException | IllegalStateException e) {
      System.err.println("backends: " + e.getMessage());
      System.exit(ExitCodes.INVALID);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  backends.close();
                  stopped.countDown();
                },
                "backends-shutdown"));
    stopped.await();
  }

  /** Loads the config, starts the providers, announces them; the caller closes the result. */
  public static MockBackends start(Options options, PrintStream out) {
    BackendsConfig config = BackendsConfig.load(options.config());
    if (options.ephemeralPorts()) {
      config = config.withEphemeralPorts();
    }
    MockBackends backends = MockBackends.start(config);
    if (options.readyFile() != null) {
      ReadyFile.write(options.readyFile(), backends.listeners());
    }
    ReadyLine.print(out, backends.listeners());
    out.flush();
    return backends;
  }

  /**
   * Parsed command-line options.
   *
   * @param config the backends config file
   * @param ephemeralPorts bind every provider on port 0
   * @param readyFile where to write provider name -> URL, or null
   */
  public record Options(Path config, boolean ephemeralPorts, Path readyFile) {
    static final String USAGE =
        "usage: backends --config FILE [--ephemeral-ports] [--ready-file FILE]";

    /** Parses {@code args}; throws IllegalArgumentException naming the problem. */
    public static Options parse(String[] args) {
      Path config = null;
      Path ready = null;
      boolean ephemeral = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--config":
            config = Path.of(value(args, ++i, "--config"));
            break;
          case "--ready-file":
            ready = Path.of(value(args, ++i, "--ready-file"));
            break;
          case "--ephemeral-ports":
            ephemeral = true;
            break;
          default:
            throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
      if (config == null) {
        throw new IllegalArgumentException("missing required option --config");
      }
      return new Options(config, ephemeral, ready);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      return args[i];
    }
  }
}
