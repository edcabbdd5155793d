package io.homeport.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.GeoIpFixtures;
import io.homeport.residency.MigrationBucket;
import io.homeport.residency.StableHash;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.RulesLoader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionChangeTest {

    static final String RULES = """
            version: 1
            regions:
              beijing: {endpoints: ["http://127.0.0.1:9101"], fail_over_to: []}
              singapore: {endpoints: ["http://127.0.0.1:9102"], fail_over_to: [us]}
              us: {endpoints: ["http://127.0.0.1:9103"], fail_over_to: [singapore]}
            residency:
              default_region: us
              countries: {CN: beijing, SG: singapore}
              migrations:
                - {name: india, countries: [IN], to: singapore, percent: %d}
              users: {file: users.csv}
            """;

    @TempDir
    Path dir;

    private RoutingSnapshot snapshot(GeoIpDatabase geo, int indiaPercent) throws Exception {
        Path file = Files.writeString(dir.resolve("rules-" + indiaPercent + ".yaml"), RULES.formatted(indiaPercent));
        return new RoutingSnapshot(new RulesLoader().load(file), geo);
    }

    @Test
    void raisingAMigrationMovesTheSampledUsersWhoseBucketsItTakesButNotPinnedOnes() throws Exception {
        Files.writeString(dir.resolve("users.csv"), "user_id,region\nin-pinned,us\n");
        try (GeoIpDatabase geo = GeoIpDatabase.open(GeoIpFixtures.GEOLITE2_COUNTRY)) {
            RoutingSnapshot before = snapshot(geo, 25);
            RoutingSnapshot after = snapshot(geo, 50);
            InetAddress india = IpAddresses.parseLiteral("202.54.1.0").orElseThrow();
            List<SampledTraffic> sample = new ArrayList<>();
            long expected = 0;
            for (int i = 0; i < 400; i++) {
                String user = "in-user-" + i;
                int bucket = MigrationBucket.of(user);
                sample.add(new SampledTraffic(india, 24, StableHash.of(user), bucket, 3));
                if (bucket >= 2500 && bucket < 5000) {
                    expected += 3;
                }
            }
            String pinned = "in-pinned";
            sample.add(new SampledTraffic(india, 24, StableHash.of(pinned), 3000, 1000));
            sample.add(new SampledTraffic(IpAddresses.parseLiteral("1.2.4.0").orElseThrow(), 24, 0, 42, 500));

            RegionChangeReport report = RegionChange.compare(before, after, sample);
            assertThat(expected).isBetween(200L, 400L);
            assertThat(report.sampledRequests()).isEqualTo(400 * 3 + 1000 + 500);
            assertThat(report.movedRequests()).isEqualTo(expected);
            assertThat(report.transitions()).containsExactly(Map.entry("us -> singapore", expected));
            assertThat(report.countries()).containsExactly(Map.entry("IN", expected));
            assertThat(report.examples()).hasSize(RegionChange.EXAMPLES_PER_TRANSITION)
                    .allSatisfy(example -> assertThat(example).startsWith("202.54.1.0/24 (IN): us -> singapore, 3 requests of one user"));

            RegionChangeReport none = RegionChange.compare(before, snapshot(geo, 25), sample);
            assertThat(none.moves()).isFalse();
            assertThat(none.summary()).isEqualTo("0.00% of 2700 sampled requests change home region");
            assertThat(RegionChange.compare(before, after, List.of()).summary())
                    .isEqualTo("no recent traffic sampled: the change in home regions is unknown");
        }
    }
}
