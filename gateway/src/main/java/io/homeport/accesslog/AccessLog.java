package io.homeport.accesslog;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ErrorResponses;
import io.homeport.proxy.ExchangeListener;
import io.homeport.rules.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes one JSON line per answered request. Lines are formatted on the event loop into that
 * thread's pending buffer and written by a background thread that wakes on a timer, never per line
 * (a wake-up per request costs a futex call and a context switch). The hand-over is a buffer swap
 * per thread and drain, not an object per line: a line as a String and then a byte[] was most of
 * what the gateway allocated per request. A slow disk or a full pipe must never stall the proxy,
 * so when a thread's pending lines reach {@link #MAX_PENDING_BYTES} a line is dropped and counted.
 * Each thread's lines stay in order; lines of different event loops interleave by drain.
 */
public final class AccessLog implements ExchangeListener, AutoCloseable {

    /** What one thread may hold unwritten before it drops lines: seconds of a busy loop's lines. */
    static final int MAX_PENDING_BYTES = 32 * 1024 * 1024;

    /**
     * How often the writer wakes to drain while there is traffic; requests do not wake it (a
     * wake-up per line costs a syscall), except the first after an idle spell put it to sleep.
     * Short, so that each drain is short: on a core it shares with the event loop, a 20 ms batch
     * held the loop off for long enough to show in the 95th percentile latency.
     */
    static final long DRAIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Drains in a row that found nothing (a second's worth) before the writer sleeps until a line
     * comes: an idle gateway should not wake 200 times a second (measured: some of those wake-ups
     * held a CPU it shares with the event loop for milliseconds; benchmarks/RESULTS.md).
     */
    static final int EMPTY_DRAINS_BEFORE_SLEEP = 200;

    private final OutputStream out;
    /** The key user ids are hashed with, or null where the operator decided ids may be logged. */
    private final UserHashKey userHashKey;
    private final AtomicLong dropped = new AtomicLong();
    /** Every thread's pending lines, for the writer to drain. */
    private final List<Pending> pendings = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Pending> pending = ThreadLocal.withInitial(() -> {
        Pending created = new Pending();
        pendings.add(created);
        return created;
    });
    private final Thread writer;
    private volatile boolean closed;
    /**
     * Set by the writer before its last look for lines and an untimed park; the thread whose line
     * finds it set wakes the writer. A line appended under a {@link Pending}'s lock that the
     * writer's last look missed is appended after the writer took that lock, so its thread sees
     * the flag; no line waits for the next line to be written.
     */
    private volatile boolean sleeping;
    private SecondText lastSecond;

    /** @param userHashKey the key of the user-id hash; null only where the operator has decided user ids may be logged */
    public AccessLog(OutputStream out, UserHashKey userHashKey) {
        this.out = out;
        this.userHashKey = userHashKey;
        this.writer = new Thread(this::drain, "homeport-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void completed(CompletedExchange exchange) {
        Pending mine = pending.get();
        format(exchange, mine.line);
        if (!mine.appendLine()) {
            dropped.incrementAndGet();
        }
        if (sleeping) { // once per idle spell: traffic keeps the writer on its timer
            sleeping = false;
            LockSupport.unpark(writer);
        }
    }

    /** A refused request gets its line too: its reason is the refusal's, and it names no region. */
    @Override
    public void refused(CompletedExchange exchange) {
        completed(exchange);
    }

    public long dropped() {
        return dropped.get();
    }

    /** One JSON line in UTF-8, as {@link #completed} writes it: for tests. */
    byte[] format(CompletedExchange e) {
        StringBuilder json = new StringBuilder(512);
        format(e, json);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One JSON line, written by hand: a generator per line cost more than the rest of the logging. */
    private void format(CompletedExchange e, StringBuilder json) {
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
        upstream(json, e.upstream());
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
        json.append("}\n");
    }

    /**
     * One thread's lines not yet written: the thread appends to {@code front}; the writer swaps it
     * with {@code back} under the lock and writes {@code back} outside it, so the event loop never
     * waits for the disk, only, once per drain, for a swap.
     */
    private final class Pending {
        /** The thread's own scratch: the line is formatted here, then copied out as bytes. */
        private StringBuilder line = new StringBuilder(512);
        private char[] chars = new char[512];
        private byte[] front = new byte[64 * 1024];
        private int size;
        /** The writer's: written out between two swaps. */
        private byte[] back = new byte[64 * 1024];

        /** Appends {@link #line} as UTF-8; false when it was dropped (too much pending). */
        boolean appendLine() {
            int length = line.length();
            if (chars.length < length) {
                chars = new char[Math.max(length, chars.length * 2)];
            }
            line.getChars(0, length, chars, 0);
            int ascii = 0;
            while (ascii < length && chars[ascii] < 0x80) {
                ascii++;
            }
            // A line beyond ASCII (a client's path or host) is rare: the JDK encodes it.
            byte[] encoded = ascii == length ? null : line.toString().getBytes(StandardCharsets.UTF_8);
            int bytes = encoded == null ? length : encoded.length;
            synchronized (this) {
                if (size + bytes > front.length) {
                    if (size + bytes > MAX_PENDING_BYTES) {
                        return false;
                    }
                    front = Arrays.copyOf(front, Math.max(size + bytes, front.length * 2));
                }
                if (encoded != null) {
                    System.arraycopy(encoded, 0, front, size, bytes);
                } else {
                    byte[] to = front;
                    for (int i = 0, at = size; i < length; i++, at++) {
                        to[at] = (byte) chars[i];
                    }
                }
                size += bytes;
            }
            if (length > 16 * 1024) { // one huge line (a long path) must not pin a huge scratch
                line = new StringBuilder(512);
                chars = new char[512];
            }
            return true;
        }

        /** Writer only: writes what was pending at the swap; false when nothing was. */
        boolean writeTo(OutputStream out) throws IOException {
            byte[] lines;
            int length;
            synchronized (this) {
                lines = front;
                length = size;
                front = back.length >= lines.length / 2 ? back : new byte[lines.length]; // a grown front stays grown
                size = 0;
            }
            back = lines;
            if (length > 0) {
                out.write(lines, 0, length);
            }
            return length > 0;
        }
    }

    /**
     * The endpoint as its URL ({@link Endpoint#toString}'s text) without making that String: one per
     * request was a tenth of what a request allocated. Its scheme and host are a parsed URI's, from
     * validated rules: nothing in them needs escaping.
     */
    private static void upstream(StringBuilder json, Endpoint endpoint) {
        json.append(",\"upstream\":");
        if (endpoint == null) {
            json.append("null");
            return;
        }
        String host = endpoint.host();
        boolean bracketed = host.indexOf(':') >= 0;
        json.append('"').append(endpoint.scheme()).append("://");
        if (bracketed) {
            json.append('[');
        }
        json.append(host);
        if (bracketed) {
            json.append(']');
        }
        json.append(':').append(endpoint.port()).append('"');
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
            lastSecond = cached = new SecondText(second, isoSecond(second));
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        json.append(cached.text).append('.')
                .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
                .append('Z');
    }

    /**
     * {@code 2026-06-18T10:15:30}, by arithmetic. The event loop formats each line, so it meets every
     * new second, and code run once a second stays interpreted: there {@code DateTimeFormatter} takes
     * 35-60 microseconds a call, this 2-3 (interpreted, measured apart from the gateway;
     * benchmarks/RESULTS.md, ninth session).
     */
    static String isoSecond(long epochSecond) {
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86_400));
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            String text = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format( // beyond four digits: its sign and width
                    LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
            return text.indexOf(':') == text.lastIndexOf(':') ? text + ":00" : text; // it leaves out ":00" seconds
        }
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
        byte[] text = new byte[19];
        twoDigits(text, 0, year / 100);
        twoDigits(text, 2, year % 100);
        text[4] = '-';
        twoDigits(text, 5, date.getMonthValue());
        text[7] = '-';
        twoDigits(text, 8, date.getDayOfMonth());
        text[10] = 'T';
        twoDigits(text, 11, secondOfDay / 3600);
        text[13] = ':';
        twoDigits(text, 14, secondOfDay / 60 % 60);
        text[16] = ':';
        twoDigits(text, 17, secondOfDay % 60);
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static void twoDigits(byte[] into, int at, int value) {
        into[at] = (byte) ('0' + value / 10);
        into[at + 1] = (byte) ('0' + value % 10);
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
        int emptyDrains = 0;
        while (true) {
            boolean finishing = closed; // read before draining, so nothing logged before close is left
            boolean wrote = false;
            for (Pending each : pendings) {
                try {
                    wrote |= each.writeTo(out);
                } catch (IOException e) {
                    wrote = true;
                    dropped.incrementAndGet(); // lines of unknown number: at least one was lost
                }
            }
            try {
                out.flush();
            } catch (IOException e) {
                dropped.incrementAndGet();
            }
            if (finishing) {
                return;
            }
            if (wrote) {
                emptyDrains = 0;
                sleeping = false; // set before a drain that found lines after all: traffic is back
            } else {
                emptyDrains++;
            }
            if (emptyDrains < EMPTY_DRAINS_BEFORE_SLEEP) {
                LockSupport.parkNanos(this, DRAIN_INTERVAL_NANOS);
            } else if (!sleeping) {
                sleeping = true; // then one more drain: a line appended before this is written by it
            } else {
                LockSupport.park(this); // until a line (or close) unparks it; a spurious return just drains
            }
        }
    }

    /** Whether the writer sleeps until the next line: for tests. */
    boolean sleeping() {
        return sleeping && writer.getState() == Thread.State.WAITING;
    }

    /** Writes what is pending, then stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(writer);
        writer.join(2_000);
    }
}
