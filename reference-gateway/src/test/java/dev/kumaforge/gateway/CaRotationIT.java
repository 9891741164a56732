package dev.kumaforge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kumaforge.common.files.AtomicFiles;
import dev.kumaforge.common.tls.DevCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY 20: a client CA rotation under load. The bundle file gains CA2 (both accepted), then
 * loses CA1 (CA1 clients refused on new connections); clients of an accepted CA never fail.
 */
class CaRotationIT {
  @TempDir Path dir;

  /** Requests on new connections (a handshake each) until stopped; counts outcomes. */
  private static final class Load implements Runnable {
    final SSLContext client;
    final String url;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    Load(SSLContext client, String url) {
      this.client = client;
      this.url = url;
    }

    @Override
    public void run() {
      while (running.get()) {
        if (TlsFixture.statusOnNewConnection(client, url, "/load") == 200) {
          ok.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
      }
    }
  }

  @Test
  void bothCasAreAcceptedDuringTheOverlapAndTheOldOneIsRefusedAfterRemoval() throws Exception {
    TlsFixture certs = new TlsFixture(dir);
    Issued ca1 = certs.ca;
    Issued ca2 = TlsFixture.ca("forge test CA 2");
    Path bundle = dir.resolve("clients.pem");
    AtomicFiles.writeString(bundle, ca1.certificatePem());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TestUpstream upstream = new TestUpstream("u")) {
      Files.writeString(
          dir.resolve("gateway.yaml"),
          """
        listeners:
          public:
            address: "127.0.0.1:0"
            tls:
              certificate: server.pem
              privateKey: server-key.pem
              clientValidation: require
              clientCaBundles: [clients.pem]
              reloadInterval: 100ms
          admin: {address: "127.0.0.1:0"}
        backends: [{name: b, endpoints: [{address: "%s"}]}]
        routes: [{name: r, backendRefs: [{name: b}]}]
        """
              .formatted(upstream.address()));
      try (Gateway gw = Gateway.start(dir.resolve("gateway.yaml"))) {
        String url = gw.listeners().get("public");
        SSLContext client1 = TlsFixture.context(TlsFixture.client(ca1, "/ns/a/one"), ca1);
        SSLContext client2 = TlsFixture.context(TlsFixture.client(ca2, "/ns/a/two"), ca1);
        assertThat(TlsFixture.statusOnNewConnection(client2, url, "/before")).isEqualTo(-1);

        Load load1 = new Load(client1, url);
        Future<?> run1 = pool.submit(load1);
        await().until(() -> load1.ok.get() >= 20);
        AtomicFiles.writeString(bundle, ca1.certificatePem() + ca2.certificatePem());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> TlsFixture.statusOnNewConnection(client2, url, "/probe") == 200);
        Load load2 = new Load(client2, url);
        Future<?> run2 = pool.submit(load2);
        int overlapStart1 = load1.ok.get();
        await().until(() -> load1.ok.get() >= overlapStart1 + 20 && load2.ok.get() >= 20);
        // the CA1 clients have moved to CA2 certificates: CA1 leaves the bundle
        load1.running.set(false);
        run1.get();
        AtomicFiles.writeString(bundle, ca2.certificatePem());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> TlsFixture.statusOnNewConnection(client1, url, "/probe") == -1);
        int afterRemoval = load2.ok.get();
        await().until(() -> load2.ok.get() >= afterRemoval + 20);
        load2.running.set(false);
        run2.get();

        assertThat(load1.failed.get()).isZero();
        assertThat(load2.failed.get()).isZero();
        assertThat(upstream.seen)
            .filteredOn(s -> s.path().equals("/load"))
            .hasSize(load1.ok.get() + load2.ok.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
