package io.homeport.residency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Problem;
import io.homeport.rules.TestFiles;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResidencyTableTest {

    static final List<String> REGIONS = List.of("beijing", "singapore", "us");

    @TempDir
    Path dir;

    private ResidencyTable load(String csv) throws Exception {
        Path file = TestFiles.write(dir, "users.csv", csv);
        return ResidencyTable.load(file, "users.csv", REGIONS);
    }

    private List<Problem> refuse(String csv) {
        InvalidRulesException e = catchThrowableOfType(InvalidRulesException.class, () -> load(csv));
        assertThat(e).as("expected the table to be refused").isNotNull();
        return e.problems();
    }

    @Test
    void loadsRowsSkippingHeaderCommentsAndBlankLines() throws Exception {
        ResidencyTable table = load("""
                user_id,region
                # pins agreed with legal, 2025-01
                u-1001,singapore

                u-2002 , beijing
                  u-3003,us\s\s
                """);

        assertThat(table.size()).isEqualTo(3);
        assertThat(table.regionOf("u-1001")).isEqualTo("singapore");
        assertThat(table.regionOf("u-2002")).isEqualTo("beijing"); // spaces around fields are trimmed
        assertThat(table.regionOf("u-3003")).isEqualTo("us");
        assertThat(table.pinOf(new StringBuilder("u-1001"))).contains("singapore"); // any CharSequence works

        java.util.Map<String, String> pins = new java.util.TreeMap<>();
        table.forEach(pins::put);
        assertThat(pins).containsExactly(java.util.Map.entry("u-1001", "singapore"), java.util.Map.entry("u-2002", "beijing"),
                java.util.Map.entry("u-3003", "us"));
    }

    @ParameterizedTest(name = "\"{0}\" is not pinned")
    @CsvSource(nullValues = "NULL", value = {
            "u-9999", "U-1001", "u-100", "u-10011", "'u-1001 '", "' u-1001'", "''", "NULL", "user_id", "singapore"})
    void lookupMisses(String userId) throws Exception {
        ResidencyTable table = load("user_id,region\nu-1001,singapore\nu-2002,beijing\n");

        assertThat(table.regionOf(userId)).isNull();
        assertThat(table.pinOf(userId)).isEmpty();
    }

    @Test
    void overlongIdsAreMissesNotErrors() throws Exception {
        ResidencyTable table = load("u-1,us\n");
        assertThat(table.regionOf("u".repeat(ResidencyTable.MAX_ID_LENGTH + 1))).isNull();
    }

    @Test
    void emptyTable() throws Exception {
        assertThat(load("user_id,region\n# nobody yet\n").size()).isZero();
        assertThat(ResidencyTable.EMPTY.size()).isZero();
        assertThat(ResidencyTable.EMPTY.regionOf("u-1")).isNull();
    }

    @Test
    void headerIsOnlySkippedOnTheFirstLine() {
        // Further down, "user_id,region" is a row: a user named user_id pinned to an unknown region.
        assertThat(refuse("u-1,us\nuser_id,region\n")).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(2))
                .satisfies(p -> assertThat(p.message()).contains("unknown region \"region\""));
    }

    @Test
    void everyBadRowIsReportedWithItsLineAndTheFileIsRefused() {
        List<Problem> problems = refuse("""
                user_id,region
                u-1,us
                u-2,mars
                u-3
                u-4,us,extra
                ,us
                ü-5,us
                u 6,us
                u-7,
                u-8,singapore
                """);

        assertThat(problems).extracting(Problem::toString).containsExactly(
                "users.csv:3:1: unknown region \"mars\" for user \"u-2\" (expected one of [beijing, singapore, us])",
                "users.csv:4:1: expected \"user_id,region\", found \"u-3\"",
                "users.csv:5:1: expected \"user_id,region\", found \"u-4,us,extra\"",
                "users.csv:6:1: empty user id",
                "users.csv:7:1: user id \"ü-5\" has a character that is not printable ASCII at position 1",
                "users.csv:8:1: user id \"u 6\" has a character that is not printable ASCII at position 2",
                "users.csv:9:1: unknown region \"\" for user \"u-7\" (expected one of [beijing, singapore, us])");
    }

    @Test
    void duplicateIdsAreReportedAtTheLaterLine() {
        List<Problem> problems = refuse("""
                user_id,region
                u-1,us
                u-2,beijing
                u-1,singapore
                u-2,beijing
                """);

        assertThat(problems).extracting(Problem::toString).containsExactly(
                "users.csv:4:1: duplicate user id \"u-1\" (first on line 2)",
                "users.csv:5:1: duplicate user id \"u-2\" (first on line 3)");
    }

    @Test
    void overlongIdIsRefused() {
        String id = "u".repeat(ResidencyTable.MAX_ID_LENGTH + 1);
        assertThat(refuse(id + ",us\n")).singleElement()
                .satisfies(p -> assertThat(p.message()).isEqualTo("user id of 129 characters (expected: at most 128)"));
    }

    @Test
    void reportsAtMostAHundredProblems() {
        assertThat(refuse("u-x,mars\n".repeat(500))).hasSize(100);
    }

    @Test
    void loadsAMillionRows() throws Exception {
        // Ids are near-misses of each other ("u-0000001" vs "u-0000010"): lookups of absent ids must not
        // find a neighbour, which is what the id comparison after a hash match guards against.
        int rows = 1_000_000;
        Path file = dir.resolve("million.csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write("user_id,region\n");
            StringBuilder line = new StringBuilder(32);
            for (int i = 0; i < rows; i++) {
                line.setLength(0);
                line.append("u-").append(i).append(',').append(REGIONS.get(i % 3)).append('\n');
                out.append(line);
            }
        }

        ResidencyTable table = ResidencyTable.load(file, "million.csv", REGIONS);

        assertThat(table.size()).isEqualTo(rows);
        for (int i : new int[] {0, 1, 2, 3, 499_999, 777_777, 999_998, 999_999}) {
            assertThat(table.regionOf("u-" + i)).as("u-%d", i).isEqualTo(REGIONS.get(i % 3));
        }
        for (String absent : new String[] {"u-1000000", "u--1", "u-01", "U-1", "u-", "u-1 ", "1", "x-5"}) {
            assertThat(table.regionOf(absent)).as(absent).isNull();
        }
        // A sweep of absent ids: none may be mistaken for a present one.
        for (int i = 0; i < 20_000; i++) {
            assertThat(table.regionOf("v-" + i)).isNull();
        }
    }

    /** The membership filter in front of the search never turns away a pinned id, whatever the table's size. */
    @Test
    void everyPinnedIdIsFoundWhateverTheTableSize() throws Exception {
        for (int rows : new int[] {1, 2, 7, 8, 9, 63, 64, 65, 1_000, 4_097}) {
            StringBuilder csv = new StringBuilder("user_id,region\n");
            for (int i = 0; i < rows; i++) {
                csv.append("acct-").append(i * 7919).append(',').append(REGIONS.get(i % 3)).append('\n');
            }
            ResidencyTable table = load(csv.toString());
            for (int i = 0; i < rows; i++) {
                String id = "acct-" + i * 7919;
                assertThat(table.regionOf(id)).as("%s of %d", id, rows).isEqualTo(REGIONS.get(i % 3));
                assertThat(table.regionIndexOf(id, StableHash.of(id))).isEqualTo(i % 3);
            }
            for (int i = 0; i < 2_000; i++) {
                String absent = "acct-" + (i * 7919 + 1);
                assertThat(table.regionIndexOf(absent, StableHash.of(absent))).as(absent).isEqualTo(-1);
            }
        }
    }
}
