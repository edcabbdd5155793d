package io.homeport.accesslog;

import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ErrorResponses;
import io.homeport.proxy.ExchangeListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

    /** How often the writer wakes to drain; requests never wake it (a wake-up per line costs a syscall). */
    static final long DRAIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Writer out;
    private final boolean hashUserIds;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    /** @param hashUserIds false only where the operator has decided user ids may be logged */
    public AccessLog(OutputStream out, boolean hashUserIds) {
        this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        this.hashUserIds = hashUserIds;
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

    public long dropped() {
        return dropped.get();
    }

    /** One JSON line, written by hand: a generator per line cost more than the rest of the logging. */
    String format(CompletedExchange e) {
        StringBuilder json = new StringBuilder(320).append('{');
        field(json, "ts", Instant.ofEpochMilli(e.startEpochMillis()).toString());
        field(json, "request_id", e.requestId());
        field(json, "client_network", Anonymizer.network(e.clientAddress()));
        field(json, "method", e.method());
        field(json, "host", e.host());
        field(json, "path", e.path());
        json.append(",\"status\":").append(e.status());
        field(json, "region", e.region());
        field(json, "route", e.route());
        field(json, "reason", e.reason());
        field(json, "country", e.country());
        if (e.userId() != null) {
            field(json, hashUserIds ? "user_hash" : "user", hashUserIds ? Anonymizer.userHash(e.userId()) : e.userId());
        }
        json.append(",\"duration_ms\":").append(e.durationNanos() / 1_000_000.0);
        field(json, "upstream", e.upstream());
        if (e.error() != null) {
            field(json, "error", e.error());
        }
        return json.append("}\n").toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        if (json.length() > 1) {
            json.append(',');
        }
        json.append('"').append(name).append("\":").append(value == null ? "null" : ErrorResponses.quote(value));
    }

    private void drain() {
        while (true) {
            boolean finishing = closed; // read before draining, so nothing queued before close is left
            int written = 0;
            try {
                for (String line; (line = lines.poll()) != null; written++) {
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
