package io.homeport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The routing core stays pure: no network, no event loop, no caches, no threads. The Maven
 * enforcer keeps such libraries off the class path; this scan also catches the JDK's own
 * networking and threading, which no dependency rule can see.
 */
class PureCoreTest {

    static final Path MAIN_SOURCES = Path.of("src/main/java");

    /** What may not appear in the code (comments and string literals are ignored). */
    static final Map<String, Pattern> BANNED = Map.of(
            "Netty", Pattern.compile("\\bio\\.netty\\b"),
            "MaxMind", Pattern.compile("\\bcom\\.maxmind\\b"),
            "Caffeine", Pattern.compile("\\bcom\\.github\\.benmanes\\b"),
            "sockets", Pattern.compile("\\bjava\\.net\\.(Server|Datagram)?Socket\\b"),
            "NIO channels", Pattern.compile("\\bjava\\.nio\\.channels\\b"),
            "threads", Pattern.compile("\\b(java\\.lang\\.)?Thread\\b"));

    @Test
    void mainSourcesUseNoNetworkingOrThreads() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        // Guard against a vacuous pass if the working directory is not the module.
        assertThat(sources).extracting(f -> f.getFileName().toString())
                .contains("RoutingSnapshot.java", "RulesLoader.java", "ResidencyTable.java");

        List<String> violations = new ArrayList<>();
        for (Path source : sources) {
            violations.addAll(violations(MAIN_SOURCES.relativize(source).toString(),
                    Files.readString(source, StandardCharsets.UTF_8)));
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theScanFindsWhatItLooksFor() {
        String code = """
                package x;
                import io.netty.buffer.ByteBuf;
                import com.maxmind.db.Reader;
                import com.github.benmanes.caffeine.cache.Cache;
                import java.net.Socket;
                import java.nio.channels.SocketChannel;
                // Thread in a comment is fine, and so is "new Thread()" in a string.
                class X { void run() { new Thread(() -> {}).start(); java.lang.Thread.yield(); } }
                """;

        assertThat(violations("X.java", code)).containsExactly(
                "X.java:2 uses Netty", "X.java:3 uses MaxMind", "X.java:4 uses Caffeine", "X.java:5 uses sockets",
                "X.java:6 uses NIO channels", "X.java:8 uses threads");
    }

    @Test
    void wordsThatMerelyContainABannedNameAreFine() {
        String code = """
                /** Safe to share between threads. */
                class X { String socketAddressText; int threadCount; java.net.SocketAddress a; Object threading; }
                """;

        assertThat(violations("X.java", code)).isEmpty();
    }

    static List<String> violations(String name, String source) {
        List<String> found = new ArrayList<>();
        String[] lines = codeOnly(source).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (Map.Entry<String, Pattern> banned : BANNED.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList()) {
                Matcher matcher = banned.getValue().matcher(lines[i]);
                if (matcher.find()) {
                    found.add(name + ":" + (i + 1) + " uses " + banned.getKey());
                }
            }
        }
        return found;
    }

    /** The source with comments and string/char literals blanked out; line breaks are kept. */
    static String codeOnly(String source) {
        StringBuilder code = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                blankKeepingNewlines(source, i, end, code);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end + 3;
                blankKeepingNewlines(source, i, end, code);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                code.append(' ');
                i = Math.min(j + 1, source.length());
            } else {
                code.append(c);
                i++;
            }
        }
        return code.toString();
    }

    private static void blankKeepingNewlines(String source, int from, int to, StringBuilder code) {
        for (int k = from; k < to; k++) {
            code.append(source.charAt(k) == '\n' ? '\n' : ' ');
        }
    }
}
