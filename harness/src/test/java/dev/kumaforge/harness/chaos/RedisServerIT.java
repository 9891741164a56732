package dev.kumaforge.harness.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.kumaforge.chaos.experiment.Action;
import dev.kumaforge.chaos.experiment.ActionType;
import dev.kumaforge.chaos.experiment.runner.ActionExecutor;
import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The redis-stop executor against a real redis-server: stopped, then started on the same port. */
class RedisServerIT {
  @TempDir Path dir;

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void redisStopStopsRedisAndStoppingTheStepStartsItAgain() throws Exception {
    if (!onPath("redis-server")) {
      if ("1".equals(System.getenv("FORGE_REQUIRE_PEERS"))) {
        fail("redis-server is not on PATH and FORGE_REQUIRE_PEERS=1");
      }
      Assumptions.abort("redis-server is not on PATH");
    }
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (RedisServer redis =
        RedisServer.start("redis-server", dir.resolve("redis.log"), () -> false)) {
      assertThat(redis.ping()).isEqualTo("+PONG");
      int port = redis.port();
      ActionExecutor stop =
          new ProcessActions(
                  Map.of(),
                  () -> "http://127.0.0.1:1",
                  () -> "",
                  redis,
                  HttpClient.newBuilder().executor(scheduler).build(),
                  scheduler)
              .executors()
              .get(ActionType.REDIS_STOP);
      ActionExecutor.Handle h =
          stop.start(
              new Action(
                  ActionType.REDIS_STOP,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null));
      assertThat(redis.isAlive()).isFalse();
      assertThat(redis.ping()).isNull();
      h.stop();
      assertThat(redis.isAlive()).isTrue();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.ping()).isEqualTo("+PONG");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
