package io.homeport.demo;

import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Region;
import io.homeport.rules.RulesLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The demo rules: the checkout's {@code routing-rules/examples/demo.yaml} when there is one (so that
 * editing it shows hot reload), else the copy bundled in the jar.
 */
public final class DemoFiles {

    static final String EXAMPLES = "routing-rules/examples";
    static final String[] BUNDLED = {"demo.yaml", "demo-users.csv"};

    private DemoFiles() {}

    public static Path rules() {
        String home = System.getenv("HOMEPORT_HOME");
        for (Path root : home == null ? new Path[] {Path.of("")} : new Path[] {Path.of(home), Path.of("")}) {
            Path candidate = root.resolve(EXAMPLES).resolve("demo.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return extractBundled();
    }

    /** The demo backends' first port in the demo rules (beijing; singapore and us follow). */
    public static final int FIRST_BACKEND_PORT = 9101;

    /**
     * A copy of the demo rules (and their users file) whose three backends listen from {@code
     * firstPort} on, so that two demos can run side by side; {@code rules} itself when the ports
     * are the usual ones.
     */
    public static Path withBackendPorts(Path rules, int firstPort) {
        if (firstPort == FIRST_BACKEND_PORT) {
            return rules;
        }
        try {
            Path directory = Files.createTempDirectory("homeport-demo-");
            directory.toFile().deleteOnExit();
            String text = Files.readString(rules);
            for (int i = 0; i < 3; i++) {
                text = text.replace("127.0.0.1:" + (FIRST_BACKEND_PORT + i), "127.0.0.1:" + (firstPort + i));
            }
            Path copy = Files.writeString(directory.resolve("demo.yaml"), text);
            Path users = Files.copy(rules.resolveSibling("demo-users.csv"), directory.resolve("demo-users.csv"));
            copy.toFile().deleteOnExit();
            users.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo rules for ports " + firstPort + "-" + (firstPort + 2), e);
        }
    }

    public static Collection<Region> regions(Path rules) throws InvalidRulesException {
        return new RulesLoader().load(rules).regions().values();
    }

    private static Path extractBundled() {
        try {
            Path directory = Files.createTempDirectory("homeport-demo-");
            directory.toFile().deleteOnExit();
            for (String name : BUNDLED) {
                try (InputStream in = DemoFiles.class.getResourceAsStream("/io/homeport/demo/rules/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("the demo file " + name + " is missing from the jar");
                    }
                    Path file = directory.resolve(name);
                    Files.copy(in, file);
                    file.toFile().deleteOnExit();
                }
            }
            return directory.resolve("demo.yaml");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the demo rules", e);
        }
    }
}
