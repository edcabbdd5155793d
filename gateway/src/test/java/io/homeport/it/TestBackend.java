package io.homeport.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real backend on a loopback port: answers with its region's name, records every request it
 * received (headers, body size, the connection it came on), and can be told to stream a large
 * body or to stall.
 *
 * <p>Paths: {@code /once} answers and closes the connection; {@code /stream?bytes=N} answers N bytes, chunked; {@code /slow?millis=N} waits before
 * answering; {@code /reset} drops the connection unanswered; anything else echoes.
 */
final class TestBackend implements AutoCloseable {

    record Received(String method, String uri, Map<String, List<String>> headers, long bodyBytes, InetSocketAddress from) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase());
            return values == null ? null : String.join(",", values);
        }
    }

    static {
        // The JDK's server writes a response's head and body apart; with Nagle on, the body waits
        // for the gateway's delayed ACK (~40 ms), which no real backend makes a request wait.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String region;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final Set<InetSocketAddress> connections = ConcurrentHashMap.newKeySet();

    TestBackend(String region) throws IOException {
        this(region, 0);
    }

    /** A backend on {@code port} (0: any free port), as when a killed backend comes back. */
    TestBackend(String region, int port) throws IOException {
        this(region, "127.0.0.1", port);
    }

    /** A backend on another loopback address ({@code 127.0.0.12}), as one of a name's several addresses. */
    TestBackend(String region, String address, int port) throws IOException {
        this.region = region;
        this.server = HttpServer.create(new InetSocketAddress(address, port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    Received last() {
        return received.get(received.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long bodyBytes = drain(exchange.getRequestBody());
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, bodyBytes,
                exchange.getRemoteAddress()));
        connections.add(exchange.getRemoteAddress());
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getQuery();
        if (path.equals("/reset")) {
            throw new IOException("dropping the connection on purpose"); // the server closes it unanswered
        }
        exchange.getResponseHeaders().set("X-Backend-Region", region);
        if (path.equals("/once")) {
            exchange.getResponseHeaders().set("Connection", "close"); // one request a connection
        } else {
            exchange.getResponseHeaders().set("Keep-Alive", "timeout=5");
        }
        if (path.equals("/stream")) {
            long bytes = Long.parseLong(query.substring("bytes=".length()));
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] block = new byte[64 * 1024];
                for (long sent = 0; sent < bytes; sent += block.length) {
                    out.write(block, 0, (int) Math.min(block.length, bytes - sent));
                }
            }
            return;
        }
        if (path.equals("/slow")) {
            try {
                Thread.sleep(Long.parseLong(query.substring("millis=".length())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = ("{\"region\":\"" + region + "\",\"body_bytes\":" + bodyBytes + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
        }
        return total;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
