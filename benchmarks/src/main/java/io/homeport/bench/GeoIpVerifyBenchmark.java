package io.homeport.bench;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.MmdbVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole-file check of a GeoIP database (budget: under 2 s for the ~8 MB world database), and
 * the whole load the gateway does at start and reload (read, verify, open, probe). Single shots:
 * a load happens once per start or database update, usually in a JVM that has not run it before.
 * Needs the world database: {@code deploy/geoip/fetch-world-db.sh}.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar GeoIpVerifyBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 10)
@Fork(3)
public class GeoIpVerifyBenchmark {

    @Param(".cache/geoip/geo-whois-asn-country.mmdb")
    public String database;

    Path file;
    byte[] bytes;

    @Setup
    public void setUp() throws Exception {
        file = Path.of(database);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " is missing: run deploy/geoip/fetch-world-db.sh");
        }
        bytes = Files.readAllBytes(file);
    }

    /** The verifier alone, on bytes already in memory. */
    @Benchmark
    public MmdbVerifier.Summary verify() throws MmdbVerifier.Damage {
        return MmdbVerifier.verify(bytes);
    }

    /** What start-up and reload do: read the file, verify it, open the reader, probe. */
    @Benchmark
    public String open() throws Exception {
        try (GeoIpDatabase opened = GeoIpDatabase.open(file)) {
            return opened.databaseType();
        }
    }
}
