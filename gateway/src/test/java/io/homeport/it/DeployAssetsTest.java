package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.homeport.config.Durations;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator assets in {@code deploy/}, checked with the tools operators use: the Prometheus
 * alert rules with {@code promtool check rules} and their unit tests with {@code promtool test
 * rules}; every query of the Grafana dashboard parsed by promtool; every metric the rules and the
 * dashboard name exists in the gateway's exposition (or is one of its counters that appear on their
 * first event); the systemd unit with {@code systemd-analyze verify}, its stop timeout longer than
 * the drain; each Kubernetes overlay rendered by {@code kubectl kustomize} and validated against the
 * API's schemas and models, its deployment file loaded, its rules validated, its grace period
 * longer than the drain.
 */
class DeployAssetsTest {

    static final Path DEPLOY = Path.of("../deploy");
    static final Path ALERTS = DEPLOY.resolve("prometheus/homeport-alerts.yml");
    static final Path ALERT_TESTS = DEPLOY.resolve("prometheus/homeport-alerts.test.yml");
    static final Path DASHBOARD = DEPLOY.resolve("grafana/homeport-dashboard.json");
    static final Path UNIT = DEPLOY.resolve("systemd/homeport.service");
    static final Path METRICS_SOURCE = Path.of("src/main/java/io/homeport/metrics/GatewayMetrics.java");

    /** homeport_… and process_… names in a PromQL expression. */
    static final Pattern METRIC = Pattern.compile("\\b((?:homeport|process)_[a-z_]+)\\b");
    static final Pattern SUFFIX = Pattern.compile("_(bucket|count|sum)$");

    @TempDir
    Path dir;

    @Test
    void theAlertRulesParseAndTheirUnitTestsPass() throws Exception {
        OperatorTool.Result check = OperatorTool.PROMTOOL.run("", "check", "rules", ALERTS.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 7 rules found");
        OperatorTool.Result tests = OperatorTool.PROMTOOL.run("", "test", "rules", ALERT_TESTS.toString());
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void everyDashboardQueryParses() throws Exception {
        List<String> queries = dashboardQueries();
        assertThat(queries).hasSizeGreaterThan(15);
        // promtool parses PromQL in rule files: each query becomes a recording rule, Grafana's
        // variables replaced by what they expand to.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String expr = queries.get(i).replace("$__rate_interval", "5m").replace("$__range", "1h")
                    .replace("$instance", ".*");
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                    .append(expr.replace("'", "''")).append("'\n");
        }
        Path file = Files.writeString(dir.resolve("dashboard-queries.yml"), rules);
        OperatorTool.Result check = OperatorTool.PROMTOOL.run("", "check", "rules", file.toString());
        assertThat(check.exitCode()).as(check.output() + "\n" + rules).isZero();
    }

    @Test
    void everyMetricTheRulesAndTheDashboardNameIsOneTheGatewayExposes() throws Exception {
        Set<String> named = new TreeSet<>();
        List<String> expressions = new ArrayList<>(dashboardQueries());
        expressions.add(Files.readString(ALERTS));
        for (String expression : expressions) {
            Matcher matcher = METRIC.matcher(expression);
            while (matcher.find()) {
                named.add(SUFFIX.matcher(matcher.group(1)).replaceFirst(""));
            }
        }
        assertThat(named).contains("homeport_residency_violations_total", "homeport_requests_total",
                "homeport_upstream_endpoint_up", "homeport_geoip_database_build_timestamp_seconds");
        String source = Files.readString(METRICS_SOURCE);
        try (TestGateway gateway = new TestGateway(dir)) {
            assertThat(gateway.get("/", "1.2.4.8").statusCode()).isEqualTo(200);
            // A request is counted just after its answer is sent: wait for it.
            String exposition = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L;
                    !exposition.contains("homeport_request_duration_seconds_count") && System.nanoTime() < deadline; ) {
                exposition = gateway.client.send(HttpRequest.newBuilder(gateway.admin("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
            for (String name : named) {
                if (exposition.contains("# TYPE " + name + " ")) {
                    continue;
                }
                // Counters that appear on their first event (a violation, a fail-over, a denial):
                // the dotted name Micrometer is given must be in GatewayMetrics.
                String dotted = name.replaceFirst("_total$", "").replaceFirst("_(seconds|bytes)$", "").replace('_', '.');
                assertThat(source).as("%s: not in the exposition, and no meter %s in GatewayMetrics", name, dotted)
                        .contains("\"" + dotted + "\"");
            }
        }
    }

    @Test
    void theSystemdUnitVerifiesAndOutwaitsTheDrain() throws Exception {
        OperatorTool.Result verify = OperatorTool.SYSTEMD_ANALYZE.run("", "verify", UNIT.toString());
        // systemd-analyze exits 0 on keys it ignores, but says so: any output is a problem.
        assertThat(verify.output()).as("systemd-analyze verify").isEmpty();
        assertThat(verify.exitCode()).isZero();
        String unit = Files.readString(UNIT);
        assertThat(unit).contains("DynamicUser=yes", "ProtectSystem=strict", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                "ExecReload=/bin/kill -HUP $MAINPID", "NoNewPrivileges=yes");
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(unit);
        assertThat(stop.find()).isTrue();
        Duration drain = Durations.parse(yamlValue(Files.readString(DEPLOY.resolve("gateway.example.yaml")), "drain_timeout")).orElseThrow();
        assertThat(Duration.ofSeconds(Long.parseLong(stop.group(1)))).isGreaterThanOrEqualTo(drain.plusSeconds(10));
        assertThat(Duration.ofSeconds(Long.parseLong(stop.group(1))))
                .isGreaterThanOrEqualTo(io.homeport.proxy.ProxySettings.DEFAULTS.drainTimeout().plusSeconds(10));
    }

    @Test
    void theKubernetesOverlaysRenderAndValidateAgainstTheApi() throws Exception {
        Path kubernetes = DEPLOY.resolve("kubernetes");
        OperatorTool.requireInstalled(kubernetes.resolve("node_modules/kubernetes-models"), "the Kubernetes validator's npm packages");
        for (String region : new String[] {"beijing", "singapore", "us"}) {
            OperatorTool.Result rendered = OperatorTool.KUBECTL.run("", "kustomize", kubernetes.resolve("overlays/" + region).toString());
            assertThat(rendered.exitCode()).as(rendered.output()).isZero();
            assertThat(rendered.output()).contains("namespace: homeport-" + region, "homeport.io/edge: " + region,
                    "kind: Deployment", "kind: PodDisruptionBudget", "kind: HorizontalPodAutoscaler", "kind: Service",
                    "name: homeport-rules");
            OperatorTool.Result valid = OperatorTool.NODE.run(rendered.output(), kubernetes.resolve("validate.mjs").toString());
            assertThat(valid.output()).as(region).contains("6 manifests valid, 0 problems");
            assertThat(valid.exitCode()).isZero();
        }
        // The validator is not a rubber stamp: a misspelt field and a wrong type are problems.
        String rendered = OperatorTool.KUBECTL.run("", "kustomize", kubernetes.resolve("overlays/us").toString()).output();
        OperatorTool.Result misspelt = OperatorTool.NODE.run(rendered.replace("maxUnavailable: 1", "maxUnavailabel: 1")
                .replace("terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: forty"), kubernetes.resolve("validate.mjs").toString());
        assertThat(misspelt.exitCode()).isEqualTo(1);
        assertThat(misspelt.output()).contains("PodDisruptionBudget.spec.maxUnavailabel: unknown field")
                .contains("terminationGracePeriodSeconds must be integer");
    }

    @Test
    void theKubernetesDeploymentFitsTheGatewaysOwnSettings() throws Exception {
        Path kubernetes = DEPLOY.resolve("kubernetes");
        String deployment = Files.readString(kubernetes.resolve("base/deployment.yaml"));
        String gatewayYaml = Files.readString(kubernetes.resolve("gateway.yaml"));
        // The deployment file loads (every key known, every value valid), and asks for what the manifests assume.
        // Its files where the Pod mounts them, here under a temporary directory.
        Files.copy(TestGateway.FIXTURE_DB, dir.resolve("GeoLite2-Country.mmdb"));
        Files.write(dir.resolve("user-hash.key"), new byte[32]);
        Path copy = Files.writeString(dir.resolve("gateway.yaml"), gatewayYaml
                .replace("/var/lib/homeport/geoip/GeoLite2-Country.mmdb", dir.resolve("GeoLite2-Country.mmdb").toString())
                .replace("/etc/homeport-rules/rules.yaml", kubernetes.resolve("base/rules.yaml").toAbsolutePath().toString()));
        io.homeport.config.GatewayConfig config = io.homeport.config.GatewayConfigLoader.load(copy);
        assertThat(config.logFormat()).isEqualTo(io.homeport.config.GatewayConfig.LogFormat.JSON);
        assertThat(config.admin().listen().port()).isEqualTo(9901);
        assertThat(config.listeners()).singleElement().satisfies(listener -> assertThat(listener.address().port()).isEqualTo(8080));
        assertThat(yamlValue(gatewayYaml, "workers")).isEqualTo("auto");
        // Kubernetes waits longer than the drain, the preStop pause and the JVM's stop.
        Matcher grace = Pattern.compile("terminationGracePeriodSeconds: (\\d+)").matcher(deployment);
        Matcher pause = Pattern.compile("command: \\[\"sleep\", \"(\\d+)\"\\]").matcher(deployment);
        assertThat(grace.find()).isTrue();
        assertThat(pause.find()).isTrue();
        assertThat(Duration.ofSeconds(Long.parseLong(grace.group(1))))
                .isGreaterThanOrEqualTo(config.proxy().drainTimeout().plusSeconds(Long.parseLong(pause.group(1))).plusSeconds(10));
        // The rules the ConfigMap carries are valid and their tests pass.
        io.homeport.cli.CommandRun validate = io.homeport.cli.CommandRun.of("validate", kubernetes.resolve("base/rules.yaml").toString());
        assertThat(validate.exitCode()).as(validate.toString()).isZero();
        // (prometheus-scrape.yaml is not run through promtool: Debian's Prometheus is built without
        // Kubernetes service discovery, so its promtool refuses kubernetes_sd_configs.)
    }

    @Test
    void theGeoIpUpdateReplacesTheDatabaseOnlyWithOneThatPassesTheGatewaysChecks() throws Exception {
        OperatorTool.SYSTEMD_ANALYZE.require();
        OperatorTool.Result units = OperatorTool.SYSTEMD_ANALYZE.run("", "verify",
                DEPLOY.resolve("systemd/homeport-geoip-update.service").toString(), DEPLOY.resolve("systemd/homeport-geoip-update.timer").toString());
        assertThat(units.output()).as("systemd-analyze verify").isEmpty();
        assertThat(units.exitCode()).isZero();

        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                version: 1
                regions:
                  beijing: {endpoints: ["http://127.0.0.1:9"]}
                  us: {endpoints: ["http://127.0.0.1:10"]}
                residency: {default_region: us, countries: {CN: beijing}}
                tests:
                  - {ip: 1.2.4.8, expect: beijing}
                """);
        Path target = dir.resolve("country.mmdb");
        Files.writeString(target, "the old database");
        Path truncated = dir.resolve("truncated.mmdb");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(TestGateway.FIXTURE_DB), 5000));
        Path movesChina = new io.homeport.geoip.MmdbWriter().addAll(CanaryTest.NETWORKS, java.util.Map.of("CN", "US"))
                        .write(dir.resolve("moves-china.mmdb"));

        assertThat(update(target, rules, truncated).exitCode()).isEqualTo(1);
        assertThat(Files.readString(target)).as("a broken file never replaces the old one").isEqualTo("the old database");
        OperatorTool.Result failingTests = update(target, rules, movesChina);
        assertThat(failingTests.exitCode()).isEqualTo(1);
        assertThat(failingTests.output()).contains("refused").contains("expected beijing");
        assertThat(Files.readString(target)).isEqualTo("the old database");

        OperatorTool.Result good = update(target, rules, TestGateway.FIXTURE_DB);
        assertThat(good.exitCode()).as(good.output()).isZero();
        assertThat(Files.mismatch(target, TestGateway.FIXTURE_DB)).isEqualTo(-1L);
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(path -> path.getFileName().toString())).noneMatch(name -> name.startsWith(".country.mmdb"));
        }
    }

    /** deploy/geoip/update-db.sh installing {@code source}, checked by this build's CLI. */
    private static OperatorTool.Result update(Path target, Path rules, Path source) throws Exception {
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder("bash", DEPLOY.resolve("geoip/update-db.sh").toString(), target.toString(),
                rules.toString()).redirectErrorStream(true);
        builder.environment().put("HOMEPORT_CMD", javaBinary + " -cp " + System.getProperty("java.class.path")
                + " io.homeport.cli.HomeportCommand");
        builder.environment().put("GEOIP_DB_SOURCE", source.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new OperatorTool.Result(process.exitValue(), output);
    }

    private static String yamlValue(String yaml, String key) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + key + ":\\s*(\\S+)").matcher(yaml);
        assertThat(matcher.find()).as(key).isTrue();
        return matcher.group(1);
    }

    private static List<String> dashboardQueries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        return queries;
    }
}
