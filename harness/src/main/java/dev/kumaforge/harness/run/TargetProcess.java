package dev.kumaforge.harness.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kumaforge.common.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Adds what the harness measured of the target process to a trial's {@code result.json}, under
 * {@code target_process}: {@code cpu_cores} (average cores used while measured), {@code
 * cpu_us_per_request}, {@code rss_max_kib} and, for a JVM, {@code jit_cpu_cores} (average cores its
 * JIT compiler threads used while measured).
 */
final class TargetProcess {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TargetProcess() {}

  static void addTo(
      Path resultJson, double cores, double cpuUsPerRequest, long rssMaxKib, double jitCores) {
    update(
        resultJson,
        root -> {
          ObjectNode tp = root.putObject("target_process");
          tp.put("cpu_cores", Math.round(cores * 1000) / 1000.0);
          tp.put("cpu_us_per_request", Math.round(cpuUsPerRequest * 10) / 10.0);
          tp.put("rss_max_kib", rssMaxKib);
          if (jitCores >= 0) {
            tp.put("jit_cpu_cores", Math.round(jitCores * 10000) / 10000.0);
          }
        });
  }

  /** Rewrites {@code resultJson} (atomically) after {@code change} edited its root object. */
  static void update(Path resultJson, java.util.function.Consumer<ObjectNode> change) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(resultJson.toFile());
      change.accept(root);
      AtomicFiles.write(resultJson, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + resultJson + ": " + e.getMessage(), e);
    }
  }
}
