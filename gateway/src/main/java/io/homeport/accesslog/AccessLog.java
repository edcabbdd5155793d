package io.homeport.accesslog;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ErrorResponses;
import io.homeport.proxy.ExchangeListener;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes one JSON line per answered request. Lines are formatted on the event loop and written by
 * a background thread that wakes on a timer, never per line (a wake-up per request costs a futex
 * call and a context switch). A slow disk or a full pipe must never stall the proxy, so when the
 * queue is full a line is dropped and counted instead.
 */
public final class AccessLog implements ExchangeListener, AutoCloseable {

    static final int QUEUE_CAPACITY = 65_536;

    /**
     * How often the writer wakes to drain; requests never wake it (a wake-up per line costs a
     * syscall). Short, so that each drain is short: on a core it shares with the event loop, a
     * 20 ms batch held the loop off for long enough to show in the 95th percentile latency.
     */
    static final long DRAIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Lines as the bytes to write: the writer thread copies them out, it builds nothing per line. */
    private final Queue<byte[]> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final OutputStream out;
    /** The key user ids are hashed with, or null where the operator decided ids may be logged. */
    private final UserHashKey userHashKey;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private SecondText lastSecond;

    /** Each event loop formats into its own builder: only the finished line is allocated. */
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(512));

    /** @param userHashKey the key of the user-id hash; null only where the operator has decided user ids may be logged */
    public AccessLog(OutputStream out, UserHashKey userHashKey) {
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.userHashKey = userHashKey;
        this.writer = new Thread(this::drain, "homeport-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void completed(CompletedExchange exchange) {
        if (queued.incrementAndGet() > QUEUE_CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        lines.offer(format(exchange));
    }

    /** A refused request gets its line too: its reason is the refusal's, and it names no region. */
    @Override
    public void refused(CompletedExchange exchange) {
        completed(exchange);
    }

    public long dropped() {
        return dropped.get();
    }

    /**
     * One JSON line in UTF-8, written by hand: a generator per line cost more than the rest of the
     * logging. Encoded here, so the writer thread only copies bytes: through a Writer each line was
     * copied again into a new char[] and a CharBuffer, a third of all the gateway allocated per
     * request.
     */
    byte[] format(CompletedExchange e) {
        StringBuilder json = LINE.get();
        json.setLength(0);
        json.append("{\"ts\":\"");
        appendTimestamp(json, e.startEpochMillis());
        field(json.append('"'), "request_id", e.requestId());
        json.append(",\"client_network\":\"");
        Anonymizer.appendNetwork(json, e.clientAddress());
        field(json.append('"'), "method", e.method());
        field(json, "host", e.host());
        field(json, "path", e.path());
        json.append(",\"status\":").append(e.status());
        field(json, "region", e.region());
        field(json, "route", e.route());
        field(json, "reason", e.reason());
        field(json, "country", e.country());
        if (e.userId() != null) {
            field(json, userHashKey != null ? "user_hash" : "user", userHashKey != null ? userHashKey.hash(e.userId()) : e.userId());
        }
        json.append(",\"duration_ms\":");
        appendMillis(json, e.durationNanos());
        field(json, "upstream", e.upstream());
        if (e.error() != null) {
            field(json, "error", e.error());
        }
        // What decided it: an SRE can tell which rules and which database served any past request.
        field(json, "client_ip_source", e.clientIp().source().label());
        if (e.clientIp().fromHeader()) {
            json.append(",\"client_ip_hop\":").append(e.clientIp().hop());
        }
        field(json, "rules_version", e.audit().rulesVersion());
        json.append(",\"geoip_build\":").append(e.audit().geoipBuild());
        // For an ASCII line (all but those with a client's non-ASCII path or host) the JDK's encoder
        // is one vectorized check and one copy.
        byte[] line = json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        if (json.capacity() > 16 * 1024) {
            LINE.remove(); // one huge line (a long path) must not pin a huge builder
        }
        return line;
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        if (value == null) {
            json.append("null");
        } else {
            ErrorResponses.appendQuoted(json, value);
        }
    }

    /**
     * ISO-8601 UTC with milliseconds, always three digits ({@code 2026-06-18T10:15:30.120Z}). The
     * text up to the second is formatted once per second and shared: formatting an {@code Instant}
     * per line was a visible share of the proxy's CPU.
     */
    private void appendTimestamp(StringBuilder json, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        SecondText cached = lastSecond;
        if (cached == null || cached.second != second) {
            String text = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                    LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
            lastSecond = cached = new SecondText(second, text.length() == 16 ? text + ":00" : text);
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        json.append(cached.text).append('.')
                .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
                .append('Z');
    }

    /** Immutable, so threads may share it through a plain field: the worst a race does is format twice. */
    private record SecondText(long second, String text) {}

    /** Nanoseconds as decimal milliseconds, exactly: 12345678 ns is {@code 12.345678}. */
    static void appendMillis(StringBuilder json, long nanos) {
        json.append(nanos / 1_000_000);
        int fraction = (int) (Math.abs(nanos) % 1_000_000);
        if (fraction == 0) {
            json.append(".0");
            return;
        }
        json.append('.');
        for (int divisor = 100_000; fraction != 0; divisor /= 10) {
            json.append((char) ('0' + fraction / divisor));
            fraction %= divisor;
        }
    }

    private void drain() {
        while (true) {
            boolean finishing = closed; // read before draining, so nothing queued before close is left
            int written = 0;
            try {
                for (byte[] line; (line = lines.poll()) != null; written++) {
                    queued.decrementAndGet();
                    out.write(line);
                }
                if (written > 0) {
                    out.flush();
                }
            } catch (IOException e) {
                dropped.addAndGet(Math.max(1, written));
            }
            if (finishing) {
                return;
            }
            LockSupport.parkNanos(this, DRAIN_INTERVAL_NANOS);
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(writer);
        writer.join(2_000);
    }
}
