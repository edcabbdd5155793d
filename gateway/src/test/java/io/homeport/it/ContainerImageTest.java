package io.homeport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image of {@code deploy/container}, built as an operator builds it: {@code
 * deploy/container/build.sh} makes the local Debian base images with mmdebstrap when they are
 * missing (minutes the first time on a machine, seconds after) and runs {@code podman build}. The
 * image is then checked against what the Kubernetes Deployment ({@code deploy/kubernetes}) expects
 * of it: its name, the non-root user 10001, the arguments, the ports, the JVM options, every
 * mount point; its health check asks {@code /healthz}; the entrypoint is the JVM itself in exec
 * form (so SIGTERM and SIGHUP reach it); the labels; and its files, read from the image itself
 * ({@code podman image mount}): the jar owned by root and not writable by the gateway's user,
 * Java present, no build tools, nothing at all the user could write but the sticky temporary
 * directories, so a read-only root filesystem takes nothing from it.
 *
 * <p>Running it: this sandbox refuses {@code podman run} as podman does it by default (its crun
 * may neither raise the container's rlimits nor use the host's hybrid cgroups), so running the
 * image the usual way is not possible here. Where that refusal is seen the test says so and runs
 * the image with runc and rlimits the sandbox allows instead (Debian package runc), read-only
 * root, no network: {@code --version}; then the gateway with the Kubernetes example's files
 * mounted, until its own health check passes ({@code podman healthcheck run}); the check fails
 * on an answer that is not 200; the probes need no token and {@code /metrics} does; SIGHUP
 * reloads; {@code podman stop} (SIGTERM) drains and exits 0. Were runc refused too, that one test
 * is skipped saying running the image is not possible in this sandbox, while the build and
 * inspection tests still run and fail on their own.
 */
class ContainerImageTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path BUILD_SCRIPT = ROOT.resolve("deploy/container/build.sh");
    static final Path DEPLOYMENT = ROOT.resolve("deploy/kubernetes/base/deployment.yaml");
    static final String JAR = "/opt/homeport/homeport.jar";
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** How this sandbox says no to an OCI runtime: rlimits it may not set, cgroups it cannot use. */
    static final Pattern SANDBOX_REFUSAL = Pattern.compile("setrlimit|setting rlimit|cgroups in hybrid mode|OCI permission denied");
    static final boolean ROOT_USER = "root".equals(System.getProperty("user.name"));

    static String imageId;
    static JsonNode image;
    static String deployment;

    @TempDir
    Path dir;

    record Result(int exitCode, String output) {}

    @BeforeAll
    static void buildTheImage() throws Exception {
        OperatorTool.PODMAN.require();
        OperatorTool.requireInstalled(Path.of("/usr/bin/mmdebstrap"), "Debian package mmdebstrap");
        deployment = Files.readString(DEPLOYMENT);
        Result build = command(BUILD_TIMEOUT, List.of("bash", BUILD_SCRIPT.toString()));
        assertThat(build.exitCode()).as("deploy/container/build.sh:\n%s", build.output()).isZero();
        String[] lines = build.output().strip().split("\n");
        imageId = lines[lines.length - 1].strip();
        assertThat(imageId).as("build.sh prints the image id last:\n%s", build.output()).matches("(sha256:)?[0-9a-f]{64}");
        Result inspect = podman("image", "inspect", imageId);
        assertThat(inspect.exitCode()).as(inspect.output()).isZero();
        image = new ObjectMapper().readTree(inspect.output()).get(0);
    }

    @Test
    void itIsTheImageTheKubernetesDeploymentRunsAsItRunsIt() {
        JsonNode config = image.path("Config");
        assertThat(texts(image.path("RepoTags"))).as("the image name build.sh tags").contains(first("image: (\\S+)"));
        // The Deployment's non-root user, as numbers: the image's USER, so it is the same without Kubernetes.
        String user = first("runAsUser: (\\d+)") + ":" + first("runAsGroup: (\\d+)");
        assertThat(user).isEqualTo("10001:10001");
        assertThat(config.path("User").asText()).isEqualTo(user);
        assertThat(texts(config.path("Cmd"))).as("CMD: the Deployment's args")
                .containsExactly(quoted(first("args: \\[(.*)\\]")).toArray(String[]::new));
        List<String> ports = all("containerPort: (\\d+)").stream().map(port -> port + "/tcp").toList();
        assertThat(ports).containsExactly("8080/tcp", "9901/tcp");
        assertThat(fieldNames(config.path("ExposedPorts"))).containsExactlyInAnyOrderElementsOf(ports);
        // The heap sized from the memory limit: the image's default is the Deployment's.
        Matcher javaOptions = Pattern.compile("name: JAVA_TOOL_OPTIONS\\s+value: \"([^\"]*)\"").matcher(deployment);
        assertThat(javaOptions.find()).isTrue();
        assertThat(texts(config.path("Env"))).contains("JAVA_TOOL_OPTIONS=" + javaOptions.group(1), "HOMEPORT_ADMIN_PORT=9901");
    }

    @Test
    void itsHealthCheckAsksHealthzAndItsSignalsReachTheJvm() throws Exception {
        JsonNode config = image.path("Config");
        // Exec form: the JVM is PID 1 and gets SIGTERM (drain) and SIGHUP (reload) itself.
        assertThat(texts(config.path("Entrypoint"))).containsExactly("/usr/bin/java", "-XX:-UsePerfData", "-jar", JAR);
        assertThat(config.path("StopSignal").asText()).isEqualTo("SIGTERM");
        JsonNode health = image.path("Healthcheck");
        List<String> test = texts(health.path("Test"));
        assertThat(test).as("HEALTHCHECK (kept only in the docker format)").hasSize(4).startsWith("CMD", "bash", "-c");
        assertThat(test.get(3)).contains("/dev/tcp/127.0.0.1/${HOMEPORT_ADMIN_PORT:-9901}", "GET /healthz HTTP/1.1", "200");
        assertThat(Duration.ofNanos(health.path("Timeout").asLong())).isPositive()
                .isLessThan(Duration.ofNanos(health.path("Interval").asLong()));
        assertThat(health.path("Retries").asInt()).isPositive();
        // Long enough for a start that loads a large database, as the Deployment's startup probe allows.
        assertThat(Duration.ofNanos(health.path("StartPeriod").asLong())).isGreaterThanOrEqualTo(Duration.ofSeconds(30));

        JsonNode labels = config.path("Labels");
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("Homeport");
        Matcher pomVersion = Pattern.compile("<version>([^<]+)</version>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(pomVersion.find()).isTrue();
        assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(pomVersion.group(1));
        Result head = command(COMMAND_TIMEOUT, List.of("git", "-C", ROOT.toString(), "rev-parse", "--short", "HEAD"));
        if (head.exitCode() == 0) {
            assertThat(labels.path("org.opencontainers.image.revision").asText()).startsWith(head.output().strip());
        }
        assertThat(labels.path("org.opencontainers.image.licenses").asText()).isNotBlank();
        assertThat(labels.path("org.opencontainers.image.source").asText()).isNotBlank();
        assertThat(labels.path("org.opencontainers.image.base.name").asText()).isEqualTo("localhost/homeport-runtime-base:bookworm");
    }

    @Test
    void nothingInItsFilesIsWritableByTheGatewaysUser() throws Exception {
        Result mount = podman("image", "mount", imageId);
        assertThat(mount.exitCode()).as(mount.output()).isZero();
        Path rootfs = Path.of(mount.output().strip());
        try {
            Path jar = inImage(rootfs, JAR);
            assertThat(jar).isRegularFile();
            assertThat(Files.getAttribute(jar, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
            assertThat(Files.getAttribute(jar, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jar))).isEqualTo("rw-r--r--");
            assertThat(inImage(rootfs, "/usr/bin/java")).as("java, through its alternatives link").isExecutable();
            // A JRE and the jar: the JDK, Maven and the sources stay in the build stage.
            try (Stream<Path> jvms = Files.list(inImage(rootfs, "/usr/lib/jvm"))) {
                assertThat(jvms.filter(jvm -> Files.exists(jvm.resolve("bin/javac")))).isEmpty();
            }
            assertThat(inImage(rootfs, "/root/.m2")).doesNotExist();
            assertThat(inImage(rootfs, "/src")).doesNotExist();
            assertThat(Files.readAllLines(inImage(rootfs, "/etc/passwd")))
                    .contains("homeport:x:10001:10001:Homeport gateway:/nonexistent:/usr/sbin/nologin");
            // Every directory the Deployment mounts is in the image.
            for (String mountPath : all("mountPath: (\\S+)")) {
                assertThat(inImage(rootfs, mountPath)).as("mount point %s", mountPath).isDirectory();
            }
            // What user 10001 could write: nothing it owns, nothing anyone may write but the sticky
            // temporary directories (empty in the image; a tmpfs at run time).
            Set<String> writable = new TreeSet<>();
            try (Stream<Path> files = Files.walk(rootfs)) {
                files.forEach(file -> {
                    try {
                        if (Files.isSymbolicLink(file)) {
                            return;
                        }
                        int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                        int gid = (Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                        boolean groupWrite = gid == 10001 && mode.contains(PosixFilePermission.GROUP_WRITE);
                        if (uid == 10001 || groupWrite || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                            writable.add("/" + rootfs.relativize(file));
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(file.toString(), e);
                    }
                });
            }
            assertThat(writable).containsExactlyInAnyOrder("/tmp", "/var/tmp", "/run/lock");
            for (String sticky : writable) {
                assertThat((Integer) Files.getAttribute(inImage(rootfs, sticky), "unix:mode") & 01000).as("%s is sticky", sticky).isNotZero();
                try (Stream<Path> inside = Files.list(inImage(rootfs, sticky))) {
                    assertThat(inside).as("%s is empty", sticky).isEmpty();
                }
            }
        } finally {
            podman("image", "unmount", imageId);
        }
    }

    @Test
    void itServesWithAReadOnlyRootFilesystem() throws Exception {
        // First as an operator runs it. This sandbox refuses that (see the class comment): then with
        // runc and rlimits the sandbox allows, saying so.
        List<String> runtime = List.of();
        List<String> limits = List.of();
        Result version = podman("run", "--rm", "--read-only", "--network=none", "--health-interval=disable", imageId, "--version");
        if (version.exitCode() != 0 && SANDBOX_REFUSAL.matcher(version.output()).find()) {
            String refusal = errors(version.output());
            System.out.println("ContainerImageTest: running the image as podman does by default is not possible in this sandbox ("
                    + refusal + "); trying runc with the rlimits the sandbox allows");
            OperatorTool.requireInstalled(Path.of("/usr/sbin/runc"), "Debian package runc, for podman run in this sandbox");
            runtime = List.of("--runtime", "/usr/sbin/runc");
            limits = List.of("--ulimit", "nofile=" + openFilesLimit() + ":" + openFilesLimit(), "--ulimit", "nproc=4096:4096");
            version = podman(concat(runtime, List.of("run", "--rm", "--read-only", "--network=none", "--health-interval=disable"),
                    limits, List.of(imageId, "--version")));
            if (version.exitCode() != 0 && SANDBOX_REFUSAL.matcher(version.output()).find()) {
                Assumptions.abort("running the image is not possible in this sandbox: podman run is refused ("
                        + refusal + "), with runc too (" + errors(version.output()) + "); the image was built and inspected only");
            }
            System.out.println("ContainerImageTest: the image runs here with runc and " + String.join(" ", limits));
        }
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).contains("homeport " + image.path("Config").path("Labels").path("org.opencontainers.image.version").asText());

        // The Kubernetes example's files where the Deployment mounts them; the key readable only by the gateway's user.
        Path config = Files.createDirectories(dir.resolve("config"));
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Path geoip = Files.createDirectories(dir.resolve("geoip"));
        Files.copy(ROOT.resolve("deploy/kubernetes/gateway.yaml"), config.resolve("gateway.yaml"));
        Path key = Files.write(config.resolve("user-hash.key"), new byte[32]);
        Files.copy(ROOT.resolve("deploy/kubernetes/base/rules.yaml"), rules.resolve("rules.yaml"));
        Files.copy(TestGateway.FIXTURE_DB, geoip.resolve("GeoLite2-Country.mmdb"));
        if (ROOT_USER) {
            Files.setAttribute(key, "unix:uid", 10001);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        }
        for (Path file : List.of(config.resolve("gateway.yaml"), rules.resolve("rules.yaml"), geoip.resolve("GeoLite2-Country.mmdb"))) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        String name = "homeport-image-test-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // No network: the health check and the probes run inside the container, no host port is bound.
            // --health-interval=disable: no systemd timer (none here); `podman healthcheck run` asks it.
            Result started = podman(concat(runtime, List.of("run", "-d", "--name", name, "--read-only", "--network=none",
                    "--health-interval=disable",
                    "-v", config + ":/etc/homeport:ro", "-v", rules + ":/etc/homeport-rules:ro",
                    "-v", geoip + ":/var/lib/homeport/geoip:ro"), limits, List.of(imageId)));
            assertThat(started.exitCode()).as(started.output()).isZero();

            Result health = null;
            for (long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < deadline; ) {
                health = podman("healthcheck", "run", name);
                if (health.exitCode() == 0) {
                    break;
                }
                Thread.sleep(1000);
            }
            assertThat(health.exitCode()).as("the image's health check: %s\n%s", health.output(), podman("logs", name).output()).isZero();
            assertThat(podman("inspect", "--format", "{{.State.Health.Status}}", name).output().strip()).isEqualTo("healthy");
            String logs = podman("logs", name).output();
            // The native transport was unpacked into /tmp, the tmpfs podman mounts with --read-only (nio means it was not).
            assertThat(logs).containsPattern("homeport serving on .*transport (io_uring|epoll)");

            // The check is no rubber stamp: an answer that is not 200 fails it (the client port
            // answers /healthz from an upstream it cannot reach).
            String check = texts(image.path("Healthcheck").path("Test")).get(3);
            Result notOk = podman("exec", "-e", "HOMEPORT_ADMIN_PORT=8080", name, "bash", "-c", check);
            assertThat(notOk.exitCode()).as(notOk.output()).isNotZero();
            // admin.listen is 0.0.0.0, so a token is required, but not by the probes.
            assertThat(statusLine(name, "/readyz")).startsWith("HTTP/1.1 200");
            assertThat(statusLine(name, "/metrics")).startsWith("HTTP/1.1 401");

            Result hup = podman("kill", "--signal", "HUP", name);
            assertThat(hup.exitCode()).as(hup.output()).isZero();
            for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    !logs.contains("reload (SIGHUP)") && System.nanoTime() < deadline; Thread.sleep(200)) {
                logs = podman("logs", name).output();
            }
            assertThat(logs).as("SIGHUP reaches the JVM").contains("reload (SIGHUP)");

            // SIGTERM drains and stops (exit 0); podman would send SIGKILL after 35 s (exit 137).
            Result stop = podman("stop", "-t", "35", name);
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            assertThat(podman("inspect", "--format", "{{.State.ExitCode}}", name).output().strip()).isEqualTo("0");
            assertThat(podman("logs", name).output()).contains("homeport stopped");
        } finally {
            podman("rm", "-f", name);
        }
    }

    /** The status line of GET {@code path} on the admin port, asked from inside the container. */
    private static String statusLine(String container, String path) throws Exception {
        Result result = podman("exec", container, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9901 && printf 'GET " + path
                + " HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 5 line <&3 && echo \"$line\"");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().strip();
    }

    /** podman's own error lines in {@code output} (not the program's, nor its warnings). */
    private static String errors(String output) {
        return output.lines().filter(line -> line.startsWith("Error:")).reduce((a, b) -> a + "; " + b).orElse(output.strip());
    }

    /** This process's open-files limit (a container may have it, not more). */
    private static String openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return line.split("\\s+")[4];
            }
        }
        return "1024";
    }

    /** {@code path} inside the image's root filesystem, its symbolic links followed inside it too. */
    private static Path inImage(Path rootfs, String path) throws IOException {
        Deque<String> parts = new ArrayDeque<>(List.of(path.split("/")));
        Path resolved = rootfs;
        int links = 0;
        while (!parts.isEmpty()) {
            String part = parts.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                resolved = resolved.equals(rootfs) ? rootfs : resolved.getParent();
                continue;
            }
            Path next = resolved.resolve(part);
            if (!Files.isSymbolicLink(next)) {
                resolved = next;
                continue;
            }
            if (++links > 40) {
                fail("too many symbolic links in %s for %s", rootfs, path);
            }
            String target = Files.readSymbolicLink(next).toString();
            if (target.startsWith("/")) {
                resolved = rootfs;
            }
            List<String> targetParts = List.of(target.split("/"));
            for (int i = targetParts.size() - 1; i >= 0; i--) {
                parts.addFirst(targetParts.get(i));
            }
        }
        return resolved;
    }

    private static Result podman(String... args) throws Exception {
        return podman(List.of(args));
    }

    /** podman, as root (through sudo otherwise, as build.sh does: the image is in root's storage). */
    private static Result podman(List<String> args) throws Exception {
        List<String> commandLine = new ArrayList<>();
        if (!ROOT_USER) {
            commandLine.addAll(List.of("sudo", "-n"));
        }
        commandLine.add("podman");
        commandLine.addAll(args);
        return command(COMMAND_TIMEOUT, commandLine);
    }

    /** Runs a command, output and errors together (kept in a file, for any length), for at most {@code timeout}. */
    private static Result command(Duration timeout, List<String> commandLine) throws Exception {
        File output = File.createTempFile("homeport-container-", ".log");
        try {
            Process process = new ProcessBuilder(commandLine).redirectErrorStream(true)
                    .redirectOutput(output).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("%s did not finish in %s:\n%s", String.join(" ", commandLine), timeout,
                        Files.readString(output.toPath(), StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output.toPath());
        }
    }

    private static String first(String regex) {
        List<String> found = all(regex);
        assertThat(found).as("%s in %s", regex, DEPLOYMENT).isNotEmpty();
        return found.get(0);
    }

    private static List<String> all(String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(deployment);
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    /** The strings of a YAML flow sequence's inside: {@code "run", "--config", "/etc/…"}. */
    private static List<String> quoted(String sequence) {
        Matcher matcher = Pattern.compile("\"([^\"]*)\"").matcher(sequence);
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
