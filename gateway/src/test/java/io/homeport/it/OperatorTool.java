package io.homeport.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real operator tool from a Debian package, which {@code .ci/install-test-tools.sh} installs.
 * Without it a test is skipped on a developer's machine, saying why, and fails under CI, so a
 * missing install step cannot hide behind a green run.
 */
public enum OperatorTool {
    PROMTOOL("promtool", "prometheus"),
    SYSTEMD_ANALYZE("systemd-analyze", "systemd"),
    KUBECTL("kubectl", "kubectl"),
    PODMAN("podman", "podman"),
    NODE("node", "nodejs");

    record Result(int exitCode, String output) {}

    private final String command;
    private final String debianPackage;

    OperatorTool(String command, String debianPackage) {
        this.command = command;
        this.debianPackage = debianPackage;
    }

    Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        requireInstalled(Path.of(command), "Debian package " + debianPackage);
        return null;
    }

    /**
     * The one place a test stops for a missing tool: unless {@code path} exists (a binary, an
     * installed package directory), it fails under CI ({@code .ci/run} sets CI) and is skipped,
     * saying what to install, on a developer's machine that has not run .ci/install-test-tools.sh.
     */
    public static void requireInstalled(Path path, String what) {
        if (Files.exists(path)) {
            return;
        }
        String missing = path + " is not installed (" + what + "; .ci/install-test-tools.sh installs it)";
        if (System.getenv("CI") != null) {
            fail(missing);
        }
        Assumptions.abort(missing);
    }

    /** Runs the tool with {@code args} and {@code stdin}; output and errors together; up to 60 s. */
    Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(require().toString());
        commandLine.addAll(List.of(args));
        Process process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
