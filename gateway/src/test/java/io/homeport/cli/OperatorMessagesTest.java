package io.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.demo.DemoFiles;
import io.homeport.rules.Endpoint;
import io.homeport.rules.Region;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new operator reads first: the command list, and the errors of a fresh clone. */
class OperatorMessagesTest {

    @TempDir
    Path dir;

    @Test
    void theCommandListGivesEachCommandOneWholeSentence() {
        CommandRun help = CommandRun.of("--help");
        assertThat(help.exitCode()).isZero();
        List<String> commands = help.out().lines().dropWhile(line -> !line.equals("Commands:")).skip(1).toList();
        assertThat(commands).extracting(line -> line.trim().split("\\s+")[0])
                .contains("demo", "run", "validate", "explain", "diff", "loadtest");
        for (String line : commands) {
            assertThat(line).as("one line per command, ending its sentence").startsWith("  ").endsWith(".");
        }
    }

    @Test
    void aMissingWorldDatabaseSaysHowToFetchIt() throws Exception {
        Path missing = dir.resolve(".cache/geoip/geo-whois-asn-country.mmdb");
        CommandRun run = CommandRun.of("explain", "--rules", "../routing-rules/examples/production.yaml",
                "--geoip", missing.toString(), "--ip", "1.2.4.8");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(missing + ": no such file; the world database is fetched, not committed:"
                + " run deploy/geoip/fetch-world-db.sh");
        CommandRun other = CommandRun.of("explain", "--rules", "../routing-rules/examples/production.yaml",
                "--geoip", dir.resolve("other.mmdb").toString(), "--ip", "1.2.4.8");
        assertThat(other.err()).contains("other.mmdb: no such file").doesNotContain("fetch-world-db");
    }

    @Test
    void theDemoRulesCanMoveTheirBackends() throws Exception {
        Path rules = DemoFiles.rules();
        assertThat(DemoFiles.withBackendPorts(rules, DemoFiles.FIRST_BACKEND_PORT)).isSameAs(rules);
        Path moved = DemoFiles.withBackendPorts(rules, 19101);
        assertThat(moved).isNotEqualTo(rules);
        assertThat(DemoFiles.regions(moved)).extracting(Region::name, region -> region.endpoints().get(0).port())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("beijing", 19101),
                        org.assertj.core.groups.Tuple.tuple("singapore", 19102),
                        org.assertj.core.groups.Tuple.tuple("us", 19103));
        assertThat(Files.readString(moved).replace("1910", "910")).isEqualTo(Files.readString(rules));
        assertThat(DemoFiles.regions(moved)).flatExtracting(Region::endpoints).extracting(Endpoint::host).containsOnly("127.0.0.1");
    }
}
