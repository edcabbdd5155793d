package io.homeport.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian package prometheus) scraping the world's edges every second,
 * its data in a directory of the run, asked afterwards over its HTTP API.
 */
public final class PrometheusProcess implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path log;

    private PrometheusProcess(Process process, String base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    public static boolean isInstalled() {
        return Files.isExecutable(BINARY);
    }

    /** Starts scraping {@code targets} (host:port of each edge's admin listener) every second. */
    public static PrometheusProcess start(Path directory, Map<String, InetSocketAddress> targets) throws IOException, InterruptedException {
        if (!isInstalled()) {
            throw new IOException(BINARY + " is not installed (Debian package prometheus)");
        }
        Files.createDirectories(directory);
        StringBuilder config = new StringBuilder("""
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: homeport-edges
                    static_configs:
                """);
        targets.forEach((edge, address) -> config.append("      - targets: ['").append(address.getHostString()).append(':')
                .append(address.getPort()).append("']\n        labels: {edge: ").append(edge).append("}\n"));
        Path configFile = directory.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(BINARY.toString(),
                "--config.file=" + configFile.toAbsolutePath(),
                "--storage.tsdb.path=" + directory.resolve("data").toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(process, "http://127.0.0.1:" + port, log);
        prometheus.awaitReady();
        return prometheus;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        close();
        throw new IOException("prometheus was not ready in 20 s: " + Files.readString(log));
    }

    /** Evaluates an instant query at {@code at}; the value of each series, keyed by {@code label}. */
    public Map<String, Double> query(String promql, Instant at, String label) throws IOException, InterruptedException {
        String url = base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + (at.toEpochMilli() / 1000.0);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode root = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(root.path("status").asText())) {
            throw new IOException("prometheus query " + promql + ": " + response.statusCode() + " " + response.body());
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (JsonNode series : root.path("data").path("result")) {
            String key = series.path("metric").path(label).asText("(none)");
            String value = series.path("value").path(1).asText("NaN");
            values.put(key, Double.parseDouble(value));
        }
        return values;
    }

    /** Whether every target was scraped successfully at {@code at}. */
    public List<String> targetsDown(Instant at) throws IOException, InterruptedException {
        return query("up == 0", at, "edge").keySet().stream().toList();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
