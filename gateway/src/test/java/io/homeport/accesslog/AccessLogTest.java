package io.homeport.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.proxy.CompletedExchange;
import io.homeport.routing.IpAddresses;
import io.homeport.rules.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START = Instant.parse("2026-06-18T10:15:30.123Z").toEpochMilli();

    private static CompletedExchange exchange(String clientIp, String userId, String error) {
        return exchange(clientIp, userId, error, new Endpoint("http", "127.0.0.1", 9101));
    }

    private static CompletedExchange exchange(String clientIp, String userId, String error, Endpoint upstream) {
        return new CompletedExchange(
                "req-42",
                START,
                12_345_678L,
                IpAddresses.parseLiteral(clientIp).orElseThrow(),
                "GET",
                "api.example.com",
                "/api/orders",
                userId,
                200,
                "beijing",
                "api",
                "country",
                "CN",
                upstream,
                error);
    }

    /** Logs the exchanges, closes the log and returns its lines. */
    private static List<String> log(boolean hashUserIds, CompletedExchange... exchanges) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog accessLog = new AccessLog(out, hashUserIds ? UserHashKey.DEMO : null);
        for (CompletedExchange exchange : exchanges) {
            accessLog.completed(exchange);
        }
        accessLog.close();
        assertThat(accessLog.dropped()).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return text.lines().toList();
    }

    @Test
    void writesTheUpstreamAsTheEndpointsUrl() throws Exception {
        for (Endpoint endpoint : List.of(new Endpoint("http", "127.0.0.1", 9101), new Endpoint("https", "api.us.example.com", 443),
                new Endpoint("http", "2001:db8::7", 8080))) {
            JsonNode json = JSON.readTree(log(true, exchange("1.2.4.8", null, null, endpoint)).get(0));
            assertThat(json.get("upstream").asText()).isEqualTo(endpoint.toString());
        }
        assertThat(JSON.readTree(log(true, exchange("1.2.4.8", null, null, null)).get(0)).get("upstream").isNull()).isTrue();
    }

    @Test
    void writesOneJsonLineWithoutTheClientAddressOrUserId() throws Exception {
        List<String> lines = log(true, exchange("1.2.4.8", "u-1001", null));

        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line).doesNotContain("1.2.4.8").doesNotContain("u-1001");
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("ts").asText()).isEqualTo("2026-06-18T10:15:30.123Z");
        assertThat(json.get("request_id").asText()).isEqualTo("req-42");
        assertThat(json.get("client_network").asText()).isEqualTo("1.2.4.0/24");
        assertThat(json.get("method").asText()).isEqualTo("GET");
        assertThat(json.get("host").asText()).isEqualTo("api.example.com");
        assertThat(json.get("path").asText()).isEqualTo("/api/orders");
        assertThat(json.get("status").asInt()).isEqualTo(200);
        assertThat(json.get("region").asText()).isEqualTo("beijing");
        assertThat(json.get("route").asText()).isEqualTo("api");
        assertThat(json.get("reason").asText()).isEqualTo("country");
        assertThat(json.get("country").asText()).isEqualTo("CN");
        assertThat(json.get("duration_ms").asDouble()).isEqualTo(12.345678);
        assertThat(json.get("upstream").asText()).isEqualTo("http://127.0.0.1:9101");
        assertThat(json.has("user")).isFalse();
        assertThat(json.get("user_hash").asText()).isEqualTo(UserHashKey.DEMO.hash("u-1001")).hasSize(16);
        assertThat(json.has("error")).isFalse();
        assertThat(json.has("client_ip")).isFalse();
    }

    @Test
    void truncatesIpv6ClientsToTheirSlash48() throws Exception {
        List<String> lines = log(true, exchange("2400:da00:1234:5678::6666", "u-2002", "upstream timeout"));

        String line = lines.get(0);
        assertThat(line).doesNotContain("2400:da00:1234:5678").doesNotContain("6666").doesNotContain("u-2002");
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("client_network").asText()).isEqualTo("2400:da00:1234::/48");
        assertThat(json.get("user_hash").asText()).isEqualTo(UserHashKey.DEMO.hash("u-2002"));
        assertThat(json.get("error").asText()).isEqualTo("upstream timeout");
    }

    @Test
    void anonymousRequestsHaveNoUserField() throws Exception {
        JsonNode json = JSON.readTree(log(true, exchange("8.8.8.8", null, null)).get(0));

        assertThat(json.has("user")).isFalse();
        assertThat(json.has("user_hash")).isFalse();
        assertThat(json.get("client_network").asText()).isEqualTo("8.8.8.0/24");
    }

    @Test
    void logsUserIdsOnlyWhenConfiguredTo() throws Exception {
        String line = log(false, exchange("1.2.4.8", "u-1001", null)).get(0);

        JsonNode json = JSON.readTree(line);
        assertThat(json.get("user").asText()).isEqualTo("u-1001");
        assertThat(json.has("user_hash")).isFalse();
        assertThat(line).doesNotContain("1.2.4.8"); // the address is truncated regardless
    }

    @Test
    void anIdleWriterSleepsUntilTheNextLineAndWritesIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog accessLog = new AccessLog(out, UserHashKey.DEMO);
        try {
            for (int round = 0; round < 3; round++) {
                awaitTrue(accessLog::sleeping); // about a second of empty drains, then an untimed park
                accessLog.completed(exchange("1.2.4." + round, "user-" + round, null));
                int expectedLines = round + 1;
                // Written by the writer, not by close(): the line woke it.
                awaitTrue(() -> out.toString(StandardCharsets.UTF_8).lines().count() == expectedLines);
            }
        } finally {
            accessLog.close();
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3);
        assertThat(accessLog.dropped()).isZero();
    }

    /** Polls {@code condition} for at most ten seconds. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void writesEveryLineInOrderBeforeClosing() throws Exception {
        CompletedExchange[] exchanges = new CompletedExchange[500];
        for (int i = 0; i < exchanges.length; i++) {
            exchanges[i] = exchange("1.2.4." + (i % 256), "user-" + i, null);
        }

        List<String> lines = log(true, exchanges);

        assertThat(lines).hasSize(500);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode json = JSON.readTree(lines.get(i));
            assertThat(json.get("user_hash").asText()).isEqualTo(UserHashKey.DEMO.hash("user-" + i));
            assertThat(json.get("client_network").asText()).isEqualTo("1.2.4.0/24");
        }
    }

    @Test
    void everyLineSaysWhichRulesAndDatabaseDecidedIt() throws Exception {
        CompletedExchange exchange = new CompletedExchange("req-9", START, 1_000_000L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/", null, 200, "beijing", "default",
                "country", "CN", null, null, new CompletedExchange.Audit("1a2b3c4d5e6f", 1_781_740_800L));

        JsonNode json = JSON.readTree(log(true, exchange).get(0));
        assertThat(json.get("rules_version").asText()).isEqualTo("1a2b3c4d5e6f");
        assertThat(json.get("geoip_build").asLong()).isEqualTo(1_781_740_800L);
    }

    @Test
    void escapesUntrustedText() throws Exception {
        CompletedExchange exchange = new CompletedExchange("req-\"1\"", START, 1_000_000L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "evil\nhost", "/path\"with\\quotes",
                null, 400, "us", "default", "default", null, null, "bad request");

        List<String> lines = log(true, exchange);

        assertThat(lines).hasSize(1);
        JsonNode json = JSON.readTree(lines.get(0));
        assertThat(json.get("host").asText()).isEqualTo("evil\nhost");
        assertThat(json.get("path").asText()).isEqualTo("/path\"with\\quotes");
        assertThat(json.get("country").isNull()).isTrue();
        assertThat(json.get("upstream").isNull()).isTrue();
    }

    @Test
    void writesTextBeyondAsciiAsUtf8() throws Exception {
        String path = "/caf\u00e9/\u5317\u4eac/\ud83d\ude80";
        CompletedExchange exchange = new CompletedExchange("req-7", START, 1_000_000L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "api.example.com", path,
                null, 200, "us", "default", "default", "US", null, null);

        List<String> lines = log(true, exchange, exchange("1.2.4.8", null, null));

        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("path").asText()).isEqualTo(path);
        assertThat(JSON.readTree(lines.get(1)).get("path").asText()).isEqualTo("/api/orders");
    }

    @Test
    void linesAreWrittenAsTheirUtf8Bytes() throws Exception {
        CompletedExchange ascii = new CompletedExchange("a", START, 0L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/a b?c=d", null, 200, "us",
                "default", "default", null, null, null);
        CompletedExchange accented = new CompletedExchange("a", START, 0L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/\u00e9\ud83d\ude80", null, 200, "us",
                "default", "default", null, null, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog accessLog = new AccessLog(out, null);
        accessLog.completed(ascii);
        accessLog.completed(accented);
        accessLog.completed(ascii);
        accessLog.close();

        byte[] asciiLine = accessLog.format(ascii);
        String text = new String(asciiLine, StandardCharsets.US_ASCII);
        assertThat(text).contains("\"path\":\"/a b?c=d\"").endsWith("}\n");
        byte[] accentedLine = accessLog.format(accented);
        assertThat(new String(accentedLine, StandardCharsets.UTF_8)).contains("\"path\":\"/\u00e9\ud83d\ude80\"");
        assertThat(accentedLine).containsSequence((byte) 0xc3, (byte) 0xa9);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(asciiLine);
        expected.write(accentedLine);
        expected.write(asciiLine);
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
    }

    /** A writer stuck on a full pipe never stalls the caller: past the pending limit, lines are dropped and counted. */
    @Test
    void dropsWholeLinesWhenTheWriterIsStuck() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream pipe = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        CompletedExchange big = new CompletedExchange("a", START, 0L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/" + "p".repeat(8 * 1024), null, 200,
                "us", "default", "default", null, null, null);
        AccessLog accessLog = new AccessLog(pipe, null);
        accessLog.completed(big);
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue(); // the writer now waits on the pipe
        int lines = AccessLog.MAX_PENDING_BYTES / (8 * 1024) + 100;
        long start = System.nanoTime();
        for (int i = 0; i < lines; i++) {
            accessLog.completed(big);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(accessLog.dropped()).isPositive();
        release.countDown();
        accessLog.close();

        List<String> kept = written.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(kept.size() + accessLog.dropped()).isEqualTo(lines + 1);
        for (String line : kept) {
            assertThat(JSON.readTree(line).get("path").asText()).hasSize(8 * 1024 + 1);
        }
    }

    @Test
    void timestampsAlwaysCarrySecondsAndThreeDigitsOfMilliseconds() throws Exception {
        long onTheMinute = Instant.parse("2026-06-18T10:15:00Z").toEpochMilli();
        CompletedExchange first = new CompletedExchange("a", onTheMinute, 0L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/", null, 200, "us", "default",
                "default", null, null, null);
        CompletedExchange second = new CompletedExchange("b", onTheMinute + 1_007, 5L,
                IpAddresses.parseLiteral("1.2.4.8").orElseThrow(), "GET", "h", "/", null, 200, "us", "default",
                "default", null, null, null);

        List<String> lines = log(true, first, second);

        assertThat(JSON.readTree(lines.get(0)).get("ts").asText()).isEqualTo("2026-06-18T10:15:00.000Z");
        assertThat(JSON.readTree(lines.get(1)).get("ts").asText()).isEqualTo("2026-06-18T10:15:01.007Z");
        assertThat(JSON.readTree(lines.get(0)).get("duration_ms").asDouble()).isEqualTo(0.0);
        assertThat(JSON.readTree(lines.get(1)).get("duration_ms").asDouble()).isEqualTo(0.000005);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "0, 0.0", "5, 0.000005", "12345678, 12.345678", "12300000, 12.3", "1000000, 1.0", "61234000000, 61234.0"})
    void writesDurationsAsExactDecimalMilliseconds(long nanos, String expected) {
        StringBuilder text = new StringBuilder();
        AccessLog.appendMillis(text, nanos);
        assertThat(text).hasToString(expected);
    }

    @Test
    void theSecondsTextIsTheIsoFormattersForEverySecondItMeets() {
        LongFunction<String> iso = second -> {
            String text = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                    LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
            return text.length() == 16 ? text + ":00" : text;
        };
        long[] seconds = {0, -1, 59, 60, 86_399, 86_400, Instant.parse("2024-02-29T23:59:59Z").getEpochSecond(),
                Instant.parse("2026-06-18T10:15:00Z").getEpochSecond(), Instant.parse("9999-12-31T23:59:59Z").getEpochSecond(),
                Instant.parse("0000-01-01T00:00:00Z").getEpochSecond()};
        for (long second : seconds) {
            assertThat(AccessLog.isoSecond(second)).as("second %d", second).isEqualTo(iso.apply(second));
        }
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(-62_167_219_200L, 253_402_300_800L); // years 0 to 9999
            assertThat(AccessLog.isoSecond(second)).as("second %d", second).isEqualTo(iso.apply(second));
        }
        assertThat(AccessLog.isoSecond(Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond()))
                .isEqualTo("+10000-01-01T00:00:00");
    }
}
