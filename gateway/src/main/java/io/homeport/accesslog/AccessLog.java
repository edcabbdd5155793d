package io.homeport.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.homeport.proxy.CompletedExchange;
import io.homeport.proxy.ExchangeListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one JSON line per answered request. Lines are formatted on the event loop but written by
 * a background thread: a slow disk or a full pipe must never stall the proxy, so when the queue is
 * full a line is dropped and counted instead.
 */
public final class AccessLog implements ExchangeListener, AutoCloseable {

    static final int QUEUE_CAPACITY = 65_536;
    private static final JsonFactory JSON = new JsonFactory();

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
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
        if (!lines.offer(format(exchange))) {
            dropped.incrementAndGet();
        }
    }

    public long dropped() {
        return dropped.get();
    }

    String format(CompletedExchange e) {
        StringWriter line = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("ts", Instant.ofEpochMilli(e.startEpochMillis()).toString());
            json.writeStringField("request_id", e.requestId());
            json.writeStringField("client_network", Anonymizer.network(e.clientAddress()));
            json.writeStringField("method", e.method());
            json.writeStringField("host", e.host());
            json.writeStringField("path", e.path());
            json.writeNumberField("status", e.status());
            json.writeStringField("region", e.region());
            json.writeStringField("route", e.route());
            json.writeStringField("reason", e.reason());
            json.writeStringField("country", e.country());
            if (e.userId() != null) {
                json.writeStringField(hashUserIds ? "user_hash" : "user", hashUserIds ? Anonymizer.userHash(e.userId()) : e.userId());
            }
            json.writeNumberField("duration_ms", e.durationNanos() / 1_000_000.0);
            json.writeStringField("upstream", e.upstream());
            if (e.error() != null) {
                json.writeStringField("error", e.error());
            }
            json.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", ex);
        }
        return line.append('\n').toString();
    }

    private void drain() {
        List<String> batch = new ArrayList<>(256);
        while (!closed || !lines.isEmpty()) {
            try {
                String first = lines.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                lines.drainTo(batch, 255);
                for (String line : batch) {
                    out.write(line);
                }
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                dropped.addAndGet(batch.size());
            } finally {
                batch.clear();
            }
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        writer.join(2_000);
    }
}
