package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code forge hash-key}: the key comes from stdin only and never appears in the output. */
class HashKeyCommandTest {
  private static int run(String stdin, StringWriter out, StringWriter err, String... args) {
    InputStream old = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      CommandLine cl = Forge.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      return cl.execute(args);
    } finally {
      System.setIn(old);
    }
  }

  @Test
  void hashesTheFirstLineOfStdin() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run("sk-canary-hash-key\nignored\n", out, err, "hash-key")).isZero();
    String hash = out.toString().strip();
    assertThat(ApiKeyHash.isValid(hash)).as(hash).isTrue();
    assertThat(ApiKeyHash.matches(hash, "sk-canary-hash-key")).isTrue();
    assertThat(out.toString() + err).doesNotContain("sk-canary-hash-key");

    StringWriter line = new StringWriter();
    assertThat(run("k2", line, err, "hash-key", "--consumer", "team-a")).isZero();
    assertThat(line.toString()).startsWith("team-a sha256:");
  }

  @Test
  void refusesAnEmptyStdinAndTakesNoKeyArgument() {
    StringWriter err = new StringWriter();
    assertThat(run("", new StringWriter(), err, "hash-key")).isEqualTo(2);
    assertThat(err.toString()).contains("no key on standard input");
    StringWriter err2 = new StringWriter();
    assertThat(run("", new StringWriter(), err2, "hash-key", "sk-on-argv")).isEqualTo(2);
    assertThat(err2.toString()).contains("takes no arguments").doesNotContain("sk-on-argv");
  }
}
