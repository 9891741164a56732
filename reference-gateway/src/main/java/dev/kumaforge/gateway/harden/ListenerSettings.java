package dev.kumaforge.gateway.harden;

import com.typesafe.config.Config;
import dev.kumaforge.gateway.config.Limits;
import org.apache.pekko.http.javadsl.settings.ParserSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/** Pekko server settings of one listener: its limits mapped onto Pekko's request parser. */
public final class ListenerSettings {
  private ListenerSettings() {}

  /**
   * The server settings for a listener with {@code limits}: the URI length (414) and header count
   * (431 through {@link ParsingErrors}) are checked by Pekko's parser, which also caps one header
   * value at {@code maxHeaderBytes} (431); the total header size and the body are checked by {@link
   * RequestGuard}.
   */
  public static ServerSettings of(Config pekko, Limits limits) {
    ServerSettings s = ServerSettings.create(pekko);
    ParserSettings p =
        s.getParserSettings()
            .withMaxUriLength((int) limits.maxUriLength().bytes())
            .withMaxHeaderCount(limits.maxHeaderCount())
            .withMaxHeaderValueLength((int) limits.maxHeaderBytes().bytes());
    return s.withParserSettings(p).withParsingErrorHandler(ParsingErrors.class.getName());
  }
}
