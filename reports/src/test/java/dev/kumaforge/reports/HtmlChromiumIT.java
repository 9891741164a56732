package dev.kumaforge.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html in headless Chromium (from the system's packages: {@code
 * chromium-headless-shell} or {@code chromium}, or {@code CHROMIUM_BIN}), takes a screenshot and
 * checks that the chart lines were drawn. Skipped when no Chromium is installed, unless {@code
 * FORGE_REQUIRE_PEERS=1}.
 */
class HtmlChromiumIT {
  @TempDir Path tmp;

  @Test
  void chartsRenderInARealBrowser() throws Exception {
    Path chromium = chromiumOrSkip();
    Path run = Fixtures.copyRun("golden", tmp);
    RunReport.generate(run);
    BufferedImage img = screenshot(chromium, run.resolve("report.html"), 2000);
    assertThat(img.getWidth()).isEqualTo(1280);
    // the two targets' line colors (Okabe-Ito blue and vermillion) appear only in the charts
    assertThat(countNear(img, 0x0072B2)).as("pixels of direct's lines").isGreaterThan(500);
    assertThat(countNear(img, 0xD55E00)).as("pixels of reference's lines").isGreaterThan(500);
  }

  /**
   * A run with a peer (nginx), events, a JMH result and costs: the comparison bars, the fault
   * shading and the cost bars must all be drawn.
   */
  @Test
  void comparisonBarsAndFaultShadingRender() throws Exception {
    Path chromium = chromiumOrSkip();
    Path run = RunExtrasTest.extrasRun(tmp);
    Fixtures.addNginxPeer(run);
    RunReport.generate(run);
    BufferedImage img = screenshot(chromium, run.resolve("report.html"), 6000);
    // nginx (third target, Okabe-Ito green) is drawn in the bars, the spectrum and the series
    assertThat(countNear(img, 0x009E73)).as("pixels of nginx's bars and lines").isGreaterThan(3000);
    // fault window: translucent red (207,34,46, alpha 40) over white
    assertThat(countNear(img, 0xF7DCDE))
        .as("pixels of the shaded fault window")
        .isGreaterThan(2000);
  }

  @Test
  void capacityCurveRenders() throws Exception {
    Path chromium = chromiumOrSkip();
    Path dir = dev.kumaforge.reports.capacity.CapacityReportTestAccess.fixture(tmp);
    dev.kumaforge.reports.capacity.CapacityReport.generate(dir);
    BufferedImage img = screenshot(chromium, dir.resolve("capacity.html"), 1600);
    assertThat(countNear(img, 0x0072B2)).as("pixels of direct's curve").isGreaterThan(500);
    assertThat(countNear(img, 0xD55E00)).as("pixels of reference's curve").isGreaterThan(500);
    // the SLO line: red (207,34,46) at 80% opacity over white
    assertThat(countNear(img, 0xD94E58)).as("pixels of the SLO line").isGreaterThan(500);
  }

  private Path chromiumOrSkip() throws IOException {
    Path chromium = findChromium().orElse(null);
    if (chromium == null) {
      if ("1".equals(System.getenv("FORGE_REQUIRE_PEERS"))) {
        fail("FORGE_REQUIRE_PEERS=1 but no chromium-headless-shell or chromium on PATH");
      }
      Assumptions.abort("no Chromium on PATH (install chromium-headless-shell)");
    }
    return chromium;
  }

  private BufferedImage screenshot(Path chromium, Path html, int height) throws Exception {
    Path png = tmp.resolve(html.getFileName() + "-" + height + ".png");
    List<String> cmd = new ArrayList<>();
    cmd.add(chromium.toString());
    if (!chromium.getFileName().toString().contains("headless-shell")) {
      cmd.add("--headless");
    }
    cmd.addAll(
        List.of(
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--user-data-dir=" + tmp.resolve("profile"),
            "--window-size=1280," + height,
            "--screenshot=" + png,
            html.toUri().toString()));
    Path log = tmp.resolve("chromium.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("Chromium did not finish within 120 s");
    }
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    return ImageIO.read(png.toFile());
  }

  private static int countNear(BufferedImage img, int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int c = img.getRGB(x, y);
        if (Math.abs(((c >> 16) & 0xff) - r) < 24
            && Math.abs(((c >> 8) & 0xff) - g) < 24
            && Math.abs((c & 0xff) - b) < 24) {
          n++;
        }
      }
    }
    return n;
  }

  private static Optional<Path> findChromium() throws IOException {
    String env = System.getenv("CHROMIUM_BIN");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env));
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name :
        new String[] {"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"}) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
