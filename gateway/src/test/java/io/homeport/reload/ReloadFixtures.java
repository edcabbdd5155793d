package io.homeport.reload;

import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.rules.InvalidRulesException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Rules files and GeoIP databases for reload and admin tests: rules written into a test's
 * directory, the real MMDB fixtures of {@code src/test/resources/geoip} copied next to them.
 */
public final class ReloadFixtures {

    /** Valid rules: CN to beijing, SG and MY to singapore, else us; one test that 1.2.4.8 (CN) goes to beijing. */
    public static final String RULES = """
            version: 1
            regions:
              beijing:
                endpoints: ["http://127.0.0.1:9"]
              singapore:
                endpoints: ["http://127.0.0.1:10"]
                fail_over_to: [us]
              us:
                endpoints: ["http://127.0.0.1:11"]
                fail_over_to: [singapore]
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore}
            tests:
              - {ip: 1.2.4.8, expect: beijing}
            """;

    /** {@link #RULES} plus MY to singapore: a different, valid file. */
    public static final String RULES_WITH_MALAYSIA = RULES.replace("SG: singapore}", "SG: singapore, MY: singapore}");

    /** Broken YAML: the flow sequence on line 4 is never closed. */
    public static final String RULES_SYNTAX_ERROR = """
            version: 1
            regions:
              beijing:
                endpoints: ["http://127.0.0.1:9"
              us:
                endpoints: ["http://127.0.0.1:11"]
            residency:
              default_region: us
            """;

    /** CN maps to a region that does not exist (line 13). */
    public static final String RULES_UNKNOWN_REGION = RULES.replace("CN: beijing", "CN: beijng");

    /** Valid YAML whose test (line 15) expects the wrong region. */
    public static final String RULES_FAILING_TEST = RULES.replace("expect: beijing", "expect: us");

    public static final String COUNTRY_DB = "GeoLite2-Country-Test.mmdb";
    public static final String CITY_DB = "GeoIP2-City-Test.mmdb";
    public static final String TRUNCATED_DB = "truncated.mmdb";
    public static final String NOT_AN_MMDB = "not-an-mmdb.mmdb";

    private ReloadFixtures() {}

    /** Writes {@code content} to {@code file} through a temporary file and a rename, as editors do. */
    public static Path writeRules(Path file, String content) {
        try {
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            return Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the fixture database {@code name} (from {@code /geoip/} on the class path) to {@code target}. */
    public static Path copyDatabase(String name, Path target) {
        try (InputStream in = ReloadFixtures.class.getResourceAsStream("/geoip/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /geoip/" + name);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A serving configuration from {@link #RULES} and the Country fixture, written into {@code dir}. */
    public static ServingConfig servingConfig(Path dir) {
        Path rules = writeRules(dir.resolve("rules.yaml"), RULES);
        Path db = copyDatabase(COUNTRY_DB, dir.resolve("geoip.mmdb"));
        try {
            return ConfigReloader.load(rules, db, 1000);
        } catch (InvalidRulesException | InvalidGeoIpDatabaseException e) {
            throw new AssertionError("fixture configuration refused: " + e.getMessage(), e);
        }
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes; whether it held. */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
