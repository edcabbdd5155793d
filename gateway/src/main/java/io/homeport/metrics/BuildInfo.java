package io.homeport.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The gateway's version and source revision, as the build wrote them ({@code io/homeport/build.properties},
 * from git-commit-id-maven-plugin): for {@code homeport_build_info} and {@code --version}.
 */
public final class BuildInfo {

    private static final Properties PROPERTIES = load();

    private BuildInfo() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}; "unknown" outside a Maven build. */
    public static String version() {
        return PROPERTIES.getProperty("git.build.version", "unknown");
    }

    /** The abbreviated commit, with "-dirty" when the tree had uncommitted changes; "unknown" outside a git checkout. */
    public static String revision() {
        String commit = PROPERTIES.getProperty("git.commit.id.abbrev", "");
        if (commit.isEmpty()) {
            return "unknown";
        }
        return Boolean.parseBoolean(PROPERTIES.getProperty("git.dirty")) ? commit + "-dirty" : commit;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/homeport/build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // unreadable: the values read "unknown"
        }
        return properties;
    }
}
