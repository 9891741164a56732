package dev.kumaforge.chaos.proxy;

import dev.kumaforge.chaos.ChaosProxy;
import dev.kumaforge.chaos.ChaosProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Map;

/** Helpers shared by the proxy ITs. */
final class ProxyFixture {
  private ProxyFixture() {}

  static ChaosProxy start() {
    return ChaosProxy.start(ChaosProxyConfig.defaults().withEphemeralPorts());
  }

  static Socket connect(ProxyState p) throws IOException {
    HostPort hp = HostPort.parse(p.listen(), true);
    Socket s = new Socket(hp.host(), hp.port());
    s.setSoTimeout(10_000);
    return s;
  }

  static ToxicSpec toxic(
      ProxyRegistry r, String type, String stream, double toxicity, Map<String, Long> attrs) {
    return r.toxicSpec(null, type, stream, toxicity, attrs);
  }

  /** Reads exactly {@code n} bytes. */
  static byte[] readN(InputStream in, int n) throws IOException {
    byte[] out = in.readNBytes(n);
    if (out.length != n) {
      throw new IOException("stream ended after " + out.length + " of " + n + " bytes");
    }
    return out;
  }

  /** Reads until end of stream. */
  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    in.transferTo(bos);
    return bos.toByteArray();
  }
}
