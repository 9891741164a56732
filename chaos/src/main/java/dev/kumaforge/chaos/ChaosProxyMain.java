package dev.kumaforge.chaos;

import dev.kumaforge.common.config.ConfigException;
import dev.kumaforge.common.files.ReadyFile;
import dev.kumaforge.common.process.ExitCodes;
import dev.kumaforge.common.process.ReadyLine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code forge chaos-proxy [--api HOST:PORT] [--config FILE] [--ready-file FILE]} command:
 * starts the fault proxy, prints {@code READY api <url>} and one {@code READY <proxy> tcp://...}
 * per proxy, writes the same map to the ready file, and serves until the process is stopped.
 */
public final class ChaosProxyMain {
  /** The usage line. */
  public static final String USAGE =
      "usage: chaos-proxy [--api HOST:PORT] [--config FILE] [--ready-file FILE]";

  private ChaosProxyMain() {}

  /** Parsed command line. */
  public record Options(String api, Path config, Path readyFile) {
    /** Parses the arguments; throws IllegalArgumentException naming the bad one. */
    public static Options parse(String[] args) {
      String api = null;
      Path config = null;
      Path ready = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (!a.equals("--api") && !a.equals("--config") && !a.equals("--ready-file")) {
          throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--api" -> api = v;
          case "--config" -> config = Path.of(v);
          default -> ready = Path.of(v);
        }
      }
      return new Options(api, config, ready);
    }
  }

  /** Runs the command; exits with 2 on bad arguments or config. */
  public static void main(String[] args) throws InterruptedException {
    ChaosProxy proxy;
    try {
      proxy = start(Options.parse(args), System.out);
    } catch (IllegalArgumentException | ConfigException | IllegalStateException e) {
      System.err.println("chaos-proxy: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(ExitCodes.INVALID);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  stopped.countDown();
                },
                "chaos-proxy-shutdown"));
    stopped.await();
  }

  /** Loads the config, applies {@code --api}, starts, announces; the caller closes the result. */
  public static ChaosProxy start(Options options, PrintStream out) {
    ChaosProxyConfig config =
        options.config() == null
            ? ChaosProxyConfig.defaults()
            : ChaosProxyConfig.load(options.config());
    if (options.api() != null) {
      config = config.withApi(options.api());
    }
    ChaosProxy proxy = ChaosProxy.start(config);
    Map<String, String> ready = new LinkedHashMap<>();
    ready.put("api", proxy.apiUrl());
    ready.putAll(proxy.listeners());
    if (options.readyFile() != null) {
      ReadyFile.write(options.readyFile(), ready);
    }
    ReadyLine.print(out, ready);
    return proxy;
  }
}
