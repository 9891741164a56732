package dev.kumaforge.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code forge --help} lists every command with its whole one-line summary. */
class ForgeHelpTest {
  @Test
  void everyCommandIsListedWithItsCompleteHeader() {
    StringWriter out = new StringWriter();
    CommandLine cl = Forge.commandLine();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("--help")).isZero();
    // the list wraps long lines; join them back before looking for each header
    String help = out.toString().replaceAll("\\s+", " ");
    Map<String, CommandLine> commands = cl.getSubcommands();
    assertThat(commands).containsKeys("run", "gateway", "capacity", "chaos", "gate");
    commands.forEach(
        (name, sub) -> {
          if (name.equals("help")) {
            return;
          }
          String[] header = sub.getCommandSpec().usageMessage().header();
          assertThat(header).as(name + " has a one-line header").hasSize(1);
          assertThat(header[0]).as(name).endsWith(".");
          assertThat(help).as(name).contains(name + " " + header[0]);
        });
  }
}
