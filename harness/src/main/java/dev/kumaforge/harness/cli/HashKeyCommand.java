package dev.kumaforge.harness.cli;

import dev.kumaforge.gateway.consumer.ApiKeyHash;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code forge hash-key}: the salted hash of an API key or admin token read from stdin. */
@Command(
    name = "hash-key",
    mixinStandardHelpOptions = true,
    header = "Print the salted SHA-256 hash of an API key for gateway configs.",
    description = {
      "Print the salted SHA-256 hash (sha256:<salt>:<hash>) of the key on standard input, for",
      "consumers[].apiKeys, an authentication.apiKeys.file line or listeners.admin.authentication",
      ".tokenHash. The key is read from stdin, never from the command line (shell history and",
      "process lists would keep it); only the first line is used, without its line break.",
      "Example: printf %s \"$KEY\" | forge hash-key --consumer team-a >> keys.txt"
    })
public final class HashKeyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--consumer",
      paramLabel = "NAME",
      description = "Print a key-file line '<NAME> <hash>' instead of the hash alone.")
  String consumer;

  @CommandLine.Parameters(hidden = true, arity = "0..*")
  java.util.List<String> arguments;

  @Override
  public Integer call() throws Exception {
    if (arguments != null && !arguments.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "hash-key takes no arguments (expected: the key on standard input, not on the command"
              + " line)");
    }
    if (consumer != null && !consumer.matches("[A-Za-z0-9_.-]+")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--consumer '" + consumer + "' (expected: letters, digits, _ . -)");
    }
    String key =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (key == null || key.strip().isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no key on standard input (expected: the key on its first line)");
    }
    if (!key.equals(key.strip())) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "the key on standard input starts or ends with white space (expected: the key alone)");
    }
    PrintWriter out = spec.commandLine().getOut();
    String hash = ApiKeyHash.hash(key);
    out.println(consumer == null ? hash : consumer + " " + hash);
    out.flush();
    return 0;
  }
}
