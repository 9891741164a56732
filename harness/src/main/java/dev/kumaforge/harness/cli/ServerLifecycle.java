package dev.kumaforge.harness.cli;

import dev.kumaforge.common.files.ReadyFile;
import dev.kumaforge.common.process.ReadyLine;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What every long-running server command does once its server listens: print the READY lines, write
 * the ready file, then block until the process is asked to stop (SIGTERM or Ctrl-C), and close the
 * server gracefully.
 */
final class ServerLifecycle {
  private ServerLifecycle() {}

  static int serveUntilStopped(
      String name, AutoCloseable server, Map<String, String> listeners, Path readyFile)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                server.close();
              } catch (Exception e) {
                System.err.println(name + ": error while stopping: " + e.getMessage());
              } finally {
                stopped.countDown();
              }
            },
            name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // The ready file first: whoever sees a READY line may read the file at once.
    if (readyFile != null) {
      ReadyFile.write(readyFile, listeners);
    }
    ReadyLine.print(System.out, listeners);
    stopped.await();
    return 0;
  }
}
