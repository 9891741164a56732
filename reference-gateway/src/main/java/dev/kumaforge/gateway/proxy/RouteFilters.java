package dev.kumaforge.gateway.proxy;

import dev.kumaforge.gateway.config.Route;
import dev.kumaforge.gateway.upstream.PekkoHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** A route's MeshHTTPRoute filters compiled: header modifiers, URL rewrite and redirect. */
final class RouteFilters {
  static final RouteFilters NONE = new RouteFilters(List.of());

  private final Modifier request;
  private final Modifier response;
  private final Route.UrlRewrite rewrite;
  private final Route.Redirect redirect;
  private final Route.Mirror mirror;

  RouteFilters(List<Route.Filter> filters) {
    Modifier req = null;
    Modifier resp = null;
    Route.UrlRewrite rw = null;
    Route.Redirect rd = null;
    Route.Mirror mr = null;
    for (Route.Filter f : filters) {
      switch (f.type()) {
        case RequestHeaderModifier -> req = new Modifier(f.requestHeaderModifier());
        case ResponseHeaderModifier -> resp = new Modifier(f.responseHeaderModifier());
        case URLRewrite -> rw = f.urlRewrite();
        case RequestRedirect -> rd = f.requestRedirect();
        case RequestMirror -> mr = f.requestMirror();
      }
    }
    this.mirror = mr;
    this.request = req;
    this.response = resp;
    this.rewrite = rw;
    this.redirect = rd;
  }

  boolean isEmpty() {
    return request == null
        && response == null
        && rewrite == null
        && redirect == null
        && mirror == null;
  }

  /** The mirror settings, or null. */
  Route.Mirror mirror() {
    return mirror;
  }

  /** The redirect response, or null when the route does not redirect. */
  HttpResponse redirect(HttpRequest req) {
    if (redirect == null) {
      return null;
    }
    Uri uri = req.getUri();
    if (redirect.scheme() != null) {
      uri = uri.scheme(redirect.scheme());
    }
    if (redirect.hostname() != null) {
      uri = uri.host(redirect.hostname());
    }
    if (redirect.port() != null) {
      uri = uri.port(redirect.port());
    }
    if (redirect.path() != null) {
      uri = uri.path(redirect.path());
    }
    int code = redirect.statusCode() == null ? 302 : redirect.statusCode();
    return HttpResponse.create().withStatus(StatusCodes.get(code)).addHeader(Location.create(uri));
  }

  /** Applies the request modifier and rewrite; {@code prefix} is the PathPrefix matched. */
  HttpRequest applyToRequest(HttpRequest req, List<HttpHeader> headers, String prefix) {
    List<HttpHeader> h = request == null ? headers : request.apply(headers);
    HttpRequest out = PekkoHeaders.withHeaders(req, h);
    if (rewrite != null) {
      Route.PathRewrite p = rewrite.path();
      String path = req.getUri().path();
      String newPath =
          p.type() == Route.RewriteType.ReplaceFullPath
              ? p.replaceFullPath()
              : replacePrefix(path, prefix, p.replacePrefixMatch());
      out = out.withUri(out.getUri().path(newPath));
      if (rewrite.hostname() != null) {
        List<HttpHeader> withHost = new ArrayList<>();
        for (HttpHeader x : out.getHeaders()) {
          if (!x.is("host")) {
            withHost.add(x);
          }
        }
        withHost.add(RawHeader.create("Host", rewrite.hostname()));
        out = PekkoHeaders.withHeaders(out, withHost);
      }
    }
    return out;
  }

  static String replacePrefix(String path, String prefix, String replacement) {
    String rest = prefix == null || "/".equals(prefix) ? path : path.substring(prefix.length());
    if (replacement.endsWith("/") && rest.startsWith("/")) {
      rest = rest.substring(1);
    }
    String out = replacement + rest;
    return out.isEmpty() ? "/" : out;
  }

  /** Applies the response modifier. */
  HttpResponse applyToResponse(HttpResponse resp) {
    if (response == null) {
      return resp;
    }
    List<HttpHeader> current = new ArrayList<>();
    resp.getHeaders().forEach(current::add);
    return PekkoHeaders.withHeaders(resp, response.apply(current));
  }

  /** Compiled set/add/remove. */
  private static final class Modifier {
    private final Set<String> replaced = new HashSet<>();
    private final List<HttpHeader> set = new ArrayList<>();
    private final List<HttpHeader> add = new ArrayList<>();

    Modifier(Route.HeaderModifier m) {
      for (Route.Header h : m.set()) {
        replaced.add(h.name().toLowerCase(Locale.ROOT));
        set.add(RawHeader.create(h.name(), h.value()));
      }
      for (String r : m.remove()) {
        replaced.add(r.toLowerCase(Locale.ROOT));
      }
      for (Route.Header h : m.add()) {
        add.add(RawHeader.create(h.name(), h.value()));
      }
    }

    List<HttpHeader> apply(List<HttpHeader> headers) {
      List<HttpHeader> out = new ArrayList<>(headers.size() + set.size() + add.size());
      for (HttpHeader h : headers) {
        if (!replaced.contains(h.lowercaseName())) {
          out.add(h);
        }
      }
      out.addAll(set);
      out.addAll(add);
      return out;
    }
  }
}
