package dev.kumaforge.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kumaforge.chaos.ChaosProxy;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The unchanged Toxiproxy Java client drives the proxy. */
class ToxiproxyClientIT {
  @Test
  void toxiproxyJavaClientWorksUnchanged() throws Exception {
    try (ChaosProxy chaos = ProxyFixture.start();
        TestServers.Server echo = TestServers.echo()) {
      ToxiproxyClient client = new ToxiproxyClient("127.0.0.1", chaos.apiPort());
      assertThat(client.version()).contains("2.");
      Proxy proxy = client.createProxy("redis", "127.0.0.1:0", echo.address());
      assertThat(proxy.isEnabled()).isTrue();
      HostPort hp = HostPort.parse(proxy.getListen(), true);
      assertThat(hp.port()).isPositive();

      Latency latency = proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 250).setJitter(0);
      assertThat(latency.getLatency()).isEqualTo(250);
      assertThat(proxy.toxics().getAll()).hasSize(1);
      assertThat(roundTrip(hp)).isGreaterThanOrEqualTo(Duration.ofMillis(240));
      proxy.toxics().bandwidth("bw", ToxicDirection.UPSTREAM, 1000);
      proxy.toxics().limitData("limit", ToxicDirection.UPSTREAM, 1_000_000);
      proxy.toxics().slowClose("sc", ToxicDirection.DOWNSTREAM, 1);
      proxy.toxics().slicer("sl", ToxicDirection.UPSTREAM, 100, 1);
      proxy.toxics().timeout("to", ToxicDirection.UPSTREAM, 1000).remove();
      proxy.toxics().resetPeer("rp", ToxicDirection.UPSTREAM, 1000).remove();
      assertThat(proxy.toxics().getAll()).hasSize(5);
      latency.remove();
      proxy.toxics().get("bw").remove();

      proxy.disable();
      assertThat(proxy.isEnabled()).isFalse();
      assertThatThrownBy(() -> new Socket(hp.host(), hp.port()).close())
          .isInstanceOf(ConnectException.class);
      proxy.enable();
      roundTrip(hp);
      assertThat(client.getProxies()).hasSize(1);
      client.reset();
      assertThat(proxy.toxics().getAll()).isEmpty();
      assertThatThrownBy(() -> client.createProxy("redis", "127.0.0.1:0", echo.address()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("409");
      proxy.delete();
      assertThat(client.getProxyOrNull("redis")).isNull();
    }
  }

  private static Duration roundTrip(HostPort hp) throws IOException {
    try (Socket s = new Socket(hp.host(), hp.port())) {
      s.setSoTimeout(10_000);
      long t0 = System.nanoTime();
      s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
      assertThat(ProxyFixture.readN(s.getInputStream(), 2)).asString().isEqualTo("hi");
      return Duration.ofNanos(System.nanoTime() - t0);
    }
  }
}
