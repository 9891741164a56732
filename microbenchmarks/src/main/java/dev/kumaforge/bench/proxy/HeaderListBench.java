package dev.kumaforge.bench.proxy;

import dev.kumaforge.gateway.upstream.PekkoHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Handing a proxied request's header list to Pekko's model: the Java DSL's {@code
 * withHeaders(Iterable)} (a Scala Vector built through a VectorBuilder) against {@link
 * PekkoHeaders} (a Scala List built back to front), for the upstream request (10 headers, the
 * proxy-overhead scenario's request after Headers.forUpstream) and for the upstream response as the
 * Netty transport builds it (5 headers, status and entity in one step or in three copies). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the allocation per operation.
 *
 * <pre>{@code
 * ./mvnw -B -o -q -pl microbenchmarks -am package -DskipTests
 * java -jar microbenchmarks/target/benchmarks.jar HeaderListBench -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC"})
public class HeaderListBench {
  HttpRequest request;
  List<HttpHeader> requestHeaders;
  List<HttpHeader> responseHeaders;
  ResponseEntity entity;

  /** The request and the header lists, built once per trial. */
  @Setup
  public void setUp() {
    request =
        HttpRequest.create("http://127.0.0.1:18080/v1/chat/completions")
            .withMethod(HttpMethods.POST);
    requestHeaders = new ArrayList<>();
    requestHeaders.add(RawHeader.create("Host", "127.0.0.1:18080"));
    requestHeaders.add(RawHeader.create("User-Agent", "forge/0.1"));
    requestHeaders.add(RawHeader.create("Authorization", "Bearer sk-forge-proxy-overhead"));
    requestHeaders.add(RawHeader.create("Accept", "*/*"));
    requestHeaders.add(RawHeader.create("X-Forwarded-For", "127.0.0.1"));
    requestHeaders.add(RawHeader.create("X-Real-IP", "127.0.0.1"));
    requestHeaders.add(RawHeader.create("X-Forwarded-Proto", "http"));
    requestHeaders.add(RawHeader.create("x-request-id", "0123456789abcdef0123456789abcdef"));
    requestHeaders.add(
        RawHeader.create("traceparent", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01"));
    requestHeaders.add(RawHeader.create("x-forge-consumer", "bench"));
    responseHeaders = new ArrayList<>();
    responseHeaders.add(RawHeader.create("x-request-id", "0123456789abcdef0123456789abcdef"));
    responseHeaders.add(RawHeader.create("openai-model", "gpt-4o-mini"));
    responseHeaders.add(RawHeader.create("openai-processing-ms", "0"));
    responseHeaders.add(RawHeader.create("x-ratelimit-remaining-requests", "9999"));
    responseHeaders.add(RawHeader.create("cache-control", "no-cache"));
    entity = HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"id\":\"chatcmpl-1\"}");
  }

  /** Before: the Java DSL's {@code withHeaders}. */
  @Benchmark
  public HttpRequest requestJavaDsl() {
    return request.withHeaders(requestHeaders);
  }

  /** After: {@link PekkoHeaders#withHeaders(HttpRequest, List)}. */
  @Benchmark
  public HttpRequest requestScalaList() {
    return PekkoHeaders.withHeaders(request, requestHeaders);
  }

  /** Before: {@code HttpResponse.create().withStatus().withHeaders().withEntity()}. */
  @Benchmark
  public HttpResponse responseJavaDsl() {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withHeaders(responseHeaders)
        .withEntity(entity);
  }

  /** After: {@link PekkoHeaders#response}. */
  @Benchmark
  public HttpResponse responseOneStep() {
    return PekkoHeaders.response(StatusCodes.OK, responseHeaders, entity);
  }
}
