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
 * Runs the real {@code promtool} (Debian's {@code prometheus} package, which {@code .ci/run}
 * installs). Without it a test is skipped on a developer's machine and fails in CI, so a missing
 * install step cannot hide behind a green run.
 */
final class Promtool {

    record Result(int exitCode, String output) {}

    private Promtool() {}

    static Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        if (System.getenv("CI") != null) {
            fail("promtool is not installed; .ci/run installs it (apt-get install prometheus)");
        }
        Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        return null;
    }

    /** Runs promtool with {@code args}, {@code stdin} as its input; waits up to 60 s. */
    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), output);
    }
}
