package io.homeport.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homeport.residency.MigrationBucket;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Migration;
import io.homeport.rules.Residency;
import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import io.homeport.rules.TestFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The precomputed per-country plans and the index-addressed decision table against the policy as
 * written: for every country code (and no country, and codes that have no index), every route,
 * pinned, unpinned and anonymous users and random addresses, the fast decision equals both the
 * explained one and a reference written straight from the rules.
 */
class CountryPlansTest {

    private static final String[] ODD_COUNTRIES = {"", "C", "cn", "Cn", "CHN", "C1", "@A", "A[", "ZZZ"};

    @TempDir
    Path dir;

    @Test
    void everyTwoLetterCodeHasAnIndexAndComesBack() {
        List<Integer> seen = new ArrayList<>();
        for (char first = 'A'; first <= 'Z'; first++) {
            for (char second = 'A'; second <= 'Z'; second++) {
                String code = "" + first + second;
                int index = CountryPlans.indexOf(code);
                assertThat(index).isBetween(0, CountryPlans.COUNTRIES - 2);
                assertThat(CountryPlans.codeOf(index)).isEqualTo(code);
                seen.add(index);
            }
        }
        assertThat(seen).doesNotHaveDuplicates().hasSize(26 * 26);
        assertThat(CountryPlans.indexOf(null)).isEqualTo(CountryPlans.NO_COUNTRY);
        assertThat(CountryPlans.codeOf(CountryPlans.NO_COUNTRY)).isNull();
        for (String odd : ODD_COUNTRIES) {
            assertThat(CountryPlans.indexOf(odd)).as(odd).isEqualTo(-1);
            assertThat(CountryLookup.found(odd, null).countryIndex()).isEqualTo(-1);
        }
        assertThat(CountryLookup.found("CN", null).countryIndex()).isEqualTo(CountryPlans.indexOf("CN"));
        assertThat(CountryLookup.NOT_FOUND.countryIndex()).isEqualTo(CountryPlans.NO_COUNTRY);
        assertThatThrownBy(() -> new CountryLookup("CN", CountryLookup.Outcome.FOUND, null, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void plansMatchTheResidencyPolicyForEveryCountry() throws IOException, InvalidRulesException {
        for (RoutingRules rules : List.of(production(), small(), staged())) {
            List<String> regions = List.copyOf(rules.regions().keySet());
            CountryPlans plans = new CountryPlans(rules, regions);
            Residency residency = rules.residency();
            for (int index = 0; index < CountryPlans.COUNTRIES; index++) {
                String code = CountryPlans.codeOf(index);
                Migration migration = code == null ? null : residency.migrationFor(code).orElse(null);
                assertThat(plans.indexable(index)).isTrue();
                assertThat(plans.migration(index)).as(code).isEqualTo(migration);
                assertThat(plans.basisPoints(index)).as(code).isEqualTo(migration == null ? -1 : migration.movedBasisPoints());
                assertThat(plans.migrationRegion(index)).as(code)
                        .isEqualTo(migration == null ? -1 : regions.indexOf(migration.to()));
                String mapped = code == null ? null : residency.countries().get(code);
                assertThat(plans.policyReason(index)).as(code).isEqualTo(mapped == null ? Reason.DEFAULT : Reason.COUNTRY);
                assertThat(regions.get(plans.policyRegion(index))).as(code)
                        .isEqualTo(mapped == null ? residency.defaultRegion() : mapped);
            }
        }
    }

    @Test
    void fastDecisionsEqualExplainedOnesAndTheWrittenPolicyForEveryCountry() throws Exception {
        Random random = new Random(20261125);
        for (RoutingRules rules : List.of(production(), small(), staged())) {
            List<String> countries = new ArrayList<>();
            for (int index = 0; index < CountryPlans.COUNTRIES; index++) {
                countries.add(CountryPlans.codeOf(index));
            }
            countries.addAll(List.of(ODD_COUNTRIES));
            List<String> users = new ArrayList<>(List.of("acct-00000017", "acct-00004711", "acct-00031337",
                    "pinned-bj", "pinned-sg", "in-user-1", "in-user-2", "sea-4", ""));
            for (int i = 0; i < 40; i++) {
                users.add("user-" + random.nextInt(1_000_000));
            }
            users.add(null);
            String[][] targets = {{null, null}, {"push.example.com", "/"}, {"api.example.com", "/api/x"},
                {"a.tenants.example.com", "/"}, {"x.example.com", "/v2/sync/items"}, {null, "/static/a.css"}};
            for (String country : countries) {
                CountryLookup lookup = country == null ? CountryLookup.NOT_FOUND : CountryLookup.found(country, null);
                RoutingSnapshot snapshot = new RoutingSnapshot(rules, GeoLookup.NONE);
                RoutingSnapshot ipv4Snapshot = new RoutingSnapshot(rules, FakeGeo.always(address -> lookup));
                for (String user : users) {
                    for (String[] target : targets) {
                        int ipv4 = publicIpv4(random);
                        InetAddress address = random.nextBoolean() ? IpAddresses.ipv4(ipv4)
                                : InetAddress.getByAddress(randomBytes(random, 16, 0x20));
                        RoutingRequest request = new RoutingRequest(address, user, target[0], target[1]);
                        Decision fast = snapshot.decide(request, lookup);
                        assertThat(fast).as("%s %s %s", country, user, address)
                                .isEqualTo(snapshot.explain(request, lookup).decision())
                                .isEqualTo(reference(rules, address, user, target[0], target[1], country));
                        Decision viaIpv4 = ipv4Snapshot.decideIpv4(ipv4, user, target[0], target[1]);
                        assertThat(viaIpv4).as("%s %s %s", country, user, IpAddresses.toText(IpAddresses.ipv4(ipv4)))
                                .isEqualTo(reference(rules, IpAddresses.ipv4(ipv4), user, target[0], target[1], country));
                        if (CountryPlans.indexOf(country) >= 0) { // interned; odd codes never were
                            assertThat(ipv4Snapshot.decideIpv4(ipv4, user, target[0], target[1])).isSameAs(viaIpv4);
                        }
                    }
                }
            }
        }
    }

    /** The policy as the rules state it, written independently of the snapshot. */
    private static Decision reference(RoutingRules rules, InetAddress address, String user, String host, String path,
            String country) {
        Route route = rules.routeFor(host, path);
        Residency residency = rules.residency();
        if (user != null && residency.users().isPresent()) {
            String pinned = residency.users().get().table().regionOf(user);
            if (pinned != null) {
                return new Decision(route, pinned, Reason.PIN, country, null);
            }
        }
        if (country != null) {
            Migration migration = residency.migrationFor(country).orElse(null);
            if (migration != null) {
                int bucket = user != null ? MigrationBucket.of(user) : MigrationBucket.of(address);
                boolean cutOver = migration.state() == Migration.State.CUT_OVER || migration.state() == Migration.State.LOCKED;
                if (cutOver && bucket < migration.basisPoints()) {
                    return new Decision(route, migration.to(), Reason.MIGRATION, country, migration.name());
                }
            }
            String region = residency.countries().get(country);
            if (region != null) {
                return new Decision(route, region, Reason.COUNTRY, country, null);
            }
        }
        return new Decision(route, residency.defaultRegion(), Reason.DEFAULT, country, null);
    }

    private static int publicIpv4(Random random) {
        while (true) {
            int address = random.nextInt();
            if (!IpAddresses.isNonPublicIpv4(address)) {
                return address;
            }
        }
    }

    private static byte[] randomBytes(Random random, int length, int first) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        bytes[0] = (byte) first;
        return bytes;
    }

    private static RoutingRules production() throws IOException, InvalidRulesException {
        return new RulesLoader().load(Path.of("examples/production.yaml"));
    }

    /** Migrations in every state: only cut_over and locked move anyone. */
    private RoutingRules staged() {
        TestFiles.write(dir, "users.csv", "user_id,region\npinned-bj,beijing\npinned-sg,singapore\n");
        return TestFiles.loadValid(dir, "staged.yaml", RoutingSnapshotTest.RULES.replace(
                "    - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}",
                "    - {name: india-phase-1, countries: [IN], to: singapore, percent: 25, state: copying}\n"
                        + "    - {name: sea, countries: [TH, VN], to: beijing, percent: 60, state: locked}\n"
                        + "    - {name: all-of-de, countries: [DE], to: singapore, percent: 100, state: planned}\n"
                        + "    - {name: fr-back, countries: [FR], to: singapore, percent: 100, state: rolled_back}"));
    }

    private RoutingRules small() {
        TestFiles.write(dir, "users.csv", "user_id,region\npinned-bj,beijing\npinned-sg,singapore\n");
        return TestFiles.loadValid(dir, "rules.yaml", RoutingSnapshotTest.RULES.replace(
                "    - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}",
                "    - {name: india-phase-1, countries: [IN], to: singapore, percent: 25}\n"
                        + "    - {name: sea, countries: [TH, VN], to: beijing, percent: 0}\n"
                        + "    - {name: all-of-de, countries: [DE], to: singapore, percent: 100}"));
    }
}
