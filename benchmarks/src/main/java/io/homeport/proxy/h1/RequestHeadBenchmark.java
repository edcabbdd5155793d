package io.homeport.proxy.h1;

import io.homeport.proxy.ProxySettings;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The direct path's parse of one request head, for the heads of {@code benchmarks/peers} (its
 * {@code xff.lua} sends them): about 200 bytes (a phone app's plainest request) and about 800 (with
 * a bearer token, cookies and app headers). In this package because the parser is the gateway's
 * own, not an API.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RequestHeadBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestHeadBenchmark {

    @Param({"200", "800"})
    int head;

    byte[] bytes;
    RequestHead parser;
    byte[] identity;

    @Setup
    public void setUp() {
        StringBuilder text = new StringBuilder("GET /a100 HTTP/1.1\r\nHost: 127.0.0.1:18083\r\n")
                .append("X-Forwarded-For: 203.0.113.77\r\n")
                .append("User-Agent: okhttp/4.12.0 ExampleApp/9.4.1 (Android 14; Pixel 8)\r\n")
                .append("Accept: application/json\r\nAccept-Encoding: gzip\r\n")
                .append("Accept-Language: en-IN,hi;q=0.9,en;q=0.8\r\n");
        if (head == 800) {
            text.append("Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMTEifQ.")
                    .append("QmVuY2htYXJr".repeat(26)).append("\r\n")
                    .append("Cookie: session=").append("c2Vzc2lvbg".repeat(10))
                    .append("; locale=en_IN; ab=7; consent=1\r\n")
                    .append("X-Device-Id: 0f8fad5b-d9cb-469f-a165-70867728950e\r\n")
                    .append("X-App-Version: 9.4.1 (940100)\r\nX-Request-Start: t=1764750000000\r\n");
        }
        bytes = text.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        parser = new RequestHead(ProxySettings.DEFAULTS.maxRequestLineBytes(), ProxySettings.DEFAULTS.maxHeaderBytes(),
                ProxySettings.DEFAULTS.maxHeaderCount());
        identity = "x-user-id".getBytes(StandardCharsets.US_ASCII);
        if (parse() != RequestHead.Outcome.COMPLETE) {
            throw new IllegalStateException("not a plain head: " + text);
        }
    }

    @Benchmark
    public RequestHead.Outcome parse() {
        return parser.parse(bytes, bytes.length, identity);
    }
}
