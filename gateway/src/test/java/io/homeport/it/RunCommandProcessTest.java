package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.cli.CommandRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code homeport run} as a real process: serves, drains on SIGTERM and exits 0; a bad config exits 1. */
class RunCommandProcessTest {

    private static final Pattern SERVING = Pattern.compile("homeport serving on \\[/127\\.0\\.0\\.1:(\\d+)\\] \\(admin /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path directory;

    @Test
    void servesThenStopsCleanlyOnSigterm() throws Exception {
        try (TestBackend us = new TestBackend("us")) {
            Path config = writeConfig(us.endpoint());
            Process process = start(config);
            try (BufferedReader log = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                Matcher serving = awaitServing(log);
                int port = Integer.parseInt(serving.group(1));
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("us");

                process.destroy(); // SIGTERM
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
                assertThat(process.exitValue()).isZero();
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void runRefusesToStartWithoutAUserHashKey() throws Exception {
        Files.writeString(directory.resolve("rules.yaml"), "version: 1\nregions:\n  us: {endpoints: [\"http://127.0.0.1:9\"]}\n"
                + "residency: {default_region: us}\n");
        Files.copy(TestGateway.FIXTURE_DB, directory.resolve("geoip.mmdb"), StandardCopyOption.REPLACE_EXISTING);
        Path config = Files.writeString(directory.resolve("gateway.yaml"),
                "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\nrules: rules.yaml\ngeoip: {database: geoip.mmdb}\n");
        CommandRun run = CommandRun.of("run", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(config + ": audit.user_hash_key_file is required");

        Files.writeString(directory.resolve("user-hash.key"), "short");
        Files.writeString(config, Files.readString(config) + "audit: {user_hash_key_file: user-hash.key}\n");
        CommandRun shortKey = CommandRun.of("run", "--config", config.toString());
        assertThat(shortKey.exitCode()).isEqualTo(1);
        assertThat(shortKey.err()).contains("audit.user_hash_key_file refused").contains("expected: at least 16");
    }

    @Test
    void aConfigErrorAtStartExitsOneWithItsPosition() throws Exception {
        Path config = directory.resolve("gateway.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nrules: rules.yaml\ngeoip: {database: geoip.mmdb, cahce: {}}\n");
        Files.copy(TestGateway.FIXTURE_DB, directory.resolve("geoip.mmdb"), StandardCopyOption.REPLACE_EXISTING);
        Process process = start(config);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(errors).contains("gateway.yaml:3:31: unknown key \"cahce\" in geoip (did you mean \"cache\"?)");
    }

    @Test
    void operationalLogsCanBeJsonLines() throws Exception {
        Path config = writeConfig("http://127.0.0.1:9");
        Files.writeString(config, Files.readString(config) + "logging: {format: json}\n");
        Process process = start(config);
        try (BufferedReader log = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            com.fasterxml.jackson.databind.JsonNode serving = null;
            for (String line; serving == null && System.nanoTime() < deadline && (line = log.readLine()) != null; ) {
                com.fasterxml.jackson.databind.JsonNode event = json.readTree(line); // every line is one JSON object
                assertThat(event.path("level").asText()).isNotEmpty();
                assertThat(event.path("timestamp").asLong()).isPositive();
                if (event.path("formattedMessage").asText().startsWith("homeport serving on")) {
                    serving = event;
                }
            }
            assertThat(serving).as("a JSON line saying the gateway serves").isNotNull();
            assertThat(serving.path("level").asText()).isEqualTo("INFO");
            assertThat(serving.path("loggerName").asText()).isEqualTo("io.homeport.server.Homeport");
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aMissingConfigFileSaysNoSuchFile() {
        Path missing = directory.resolve("missing.yaml");
        CommandRun run = CommandRun.of("run", "--config", missing.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(missing + ":1:1: no such file");
    }

    @Test
    void aPortInUseIsOneLineNamingTheListenerAndAddress() throws Exception {
        Path config = writeConfig("http://127.0.0.1:9");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Files.writeString(config, Files.readString(config).replace("listen: 127.0.0.1:0\nadmin",
                    "listen: 127.0.0.1:" + port + "\nadmin"));
            CommandRun run = CommandRun.of("run", "--config", config.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).containsExactly(config + ": listen 127.0.0.1:" + port
                    + ": cannot listen: address already in use (another process listens there; choose another port)");

            Files.writeString(config, Files.readString(config).replace("listen: 127.0.0.1:" + port + "\nadmin: {listen: 127.0.0.1:0}",
                    "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:" + port + "}"));
            CommandRun admin = CommandRun.of("run", "--config", config.toString());
            assertThat(admin.exitCode()).isEqualTo(1);
            assertThat(admin.errLines()).singleElement().asString()
                    .startsWith(config + ": admin.listen 127.0.0.1:" + port + ": cannot listen: address already in use");
        }
    }

    private Path writeConfig(String endpoint) throws Exception {
        Files.writeString(directory.resolve("rules.yaml"), """
                version: 1
                regions:
                  us: {endpoints: ["%s"]}
                residency: {default_region: us}
                """.formatted(endpoint));
        Files.copy(TestGateway.FIXTURE_DB, directory.resolve("geoip.mmdb"), StandardCopyOption.REPLACE_EXISTING);
        Files.write(directory.resolve("user-hash.key"), new byte[32]);
        Path config = directory.resolve("gateway.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                rules: rules.yaml
                geoip: {database: geoip.mmdb}
                audit: {user_hash_key_file: user-hash.key}
                """);
        return config;
    }

    private static Process start(Path config) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.homeport.cli.HomeportCommand", "run", "--config", config.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static Matcher awaitServing(BufferedReader log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; System.nanoTime() < deadline && (line = log.readLine()) != null; ) {
            Matcher matcher = SERVING.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
        throw new AssertionError("homeport did not report serving");
    }
}
