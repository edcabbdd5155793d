package io.homeport.cli;

import io.homeport.accesslog.UserHashKey;
import io.homeport.canary.CountryChanges;
import io.homeport.canary.NetworkChanges;
import io.homeport.canary.PinChanges;
import io.homeport.canary.RegionChange;
import io.homeport.canary.RegionChangeReport;
import io.homeport.canary.SampleFile;
import io.homeport.canary.SampledTraffic;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code homeport diff}: what a rules or GeoIP change would move, before it is deployed, as {@code
 * terraform plan} shows a change. The same comparison as the reload canary, offline.
 */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        header = "Shows whose home region two rules files or databases change.",
        description = {
            "Shows which countries, networks and pinned users change home region between two rules files",
            "(and GeoIP databases), and how much of a traffic sample that is. Starts no server.",
            "The sample is what GET /traffic-sample on the admin server exports, or a file of addresses.",
            "Exit codes: 0 no change, 1 changes, 2 error (so it can guard a rules repository's CI)."
        })
final class DiffCommand implements Callable<Integer> {

    static final int NO_CHANGE = 0;
    static final int CHANGES = 1;
    static final int ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rules", arity = "2", required = true, paramLabel = "FILE",
            description = "The rules file before and after: OLD.yaml NEW.yaml.")
    List<Path> rules;

    @Option(names = "--geoip", arity = "1..2", paramLabel = "DB",
            description = "The GeoIP database before (and after, when it changes; default: the bundled demo database).")
    List<Path> geoip;

    @Option(names = "--sample", paramLabel = "FILE",
            description = "Recent traffic: GET /traffic-sample's export, or addresses (one a line, optionally with a count).")
    Path sample;

    @Option(names = "--user-hash-key", paramLabel = "FILE",
            description = "The gateways' audit.user_hash_key_file: finds the sampled users' pins by their keyed hash.")
    Path userHashKey;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return diff(out);
        } catch (InvalidRulesException e) {
            e.problems().forEach(problem -> err.println(problem));
            err.println("homeport diff: a rules file is invalid; nothing compared");
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport diff: GeoIP database refused: " + e.getMessage());
        } catch (IOException e) {
            err.println("homeport diff: " + e.getMessage());
        } finally {
            out.flush();
            err.flush();
        }
        return ERROR;
    }

    private int diff(PrintWriter out) throws InvalidRulesException, InvalidGeoIpDatabaseException, IOException {
        RulesLoader loader = new RulesLoader();
        RoutingRules oldRules = loader.load(rules.get(0));
        RoutingRules newRules = loader.load(rules.get(1));
        Path oldDb = geoip == null ? null : geoip.get(0);
        Path newDb = geoip == null ? null : geoip.get(geoip.size() - 1);
        // One database (or none: the bundled demo one) serves both sides; two are compared network by network.
        boolean twoDatabases = newDb != null && !newDb.equals(oldDb);
        List<SampleFile.Line> lines = sample == null ? List.of() : SampleFile.read(sample);
        try (GeoIpDatabase before = GeoIpOption.open(oldDb);
                GeoIpDatabase after = GeoIpOption.open(twoDatabases ? newDb : oldDb)) {
            RoutingSnapshot old = new RoutingSnapshot(oldRules, before);
            RoutingSnapshot now = new RoutingSnapshot(newRules, after);
            out.println("homeport diff: rules " + rules.get(0) + " -> " + rules.get(1) + "; GeoIP "
                    + before.description() + (twoDatabases ? " -> " + after.description() : ""));
            boolean changes = false;

            if (sample != null) {
                changes |= printSample(out, old, now, lines, userHashKey == null ? null : UserHashKey.read(userHashKey));
            } else {
                out.println();
                out.println("Traffic: no --sample given (GET /traffic-sample on a gateway's admin server exports one)");
            }

            if (twoDatabases) {
                NetworkChanges networks = NetworkChanges.between(before, after);
                out.println();
                out.println("Networks whose country changes between the databases: " + (networks.networks() == 0 ? "none"
                        : networks.networks() + " (" + networks.ipv4Addresses() + " IPv4 addresses)"));
                networks.byCountry().forEach((change, count) -> out.println("  " + change + ": " + count + " networks"));
                networks.examples().forEach(example -> out.println("  e.g. " + example));
                changes |= networks.networks() > 0;
            }

            Map<String, String> countries = CountryChanges.between(old, now);
            out.println();
            out.println("Countries whose users the rules send elsewhere (share of migration buckets per region): "
                    + (countries.isEmpty() ? "none" : countries.size()));
            countries.forEach((country, change) -> out.println("  " + country + ": " + change));
            changes |= !countries.isEmpty();

            Map<String, String> pins = PinChanges.between(oldRules, newRules);
            out.println();
            out.println("Pinned users whose pin changes: " + (pins.isEmpty() ? "none" : pins.size()));
            pins.entrySet().stream().limit(20).forEach(pin -> out.println("  " + pin.getKey() + ": " + pin.getValue()));
            if (pins.size() > 20) {
                out.println("  ... and " + (pins.size() - 20) + " more");
            }
            changes |= !pins.isEmpty();

            out.println();
            out.println(changes ? "Changes: yes (exit 1)" : "Changes: none (exit 0)");
            return changes ? CHANGES : NO_CHANGE;
        }
    }

    /**
     * The canary's comparison over the sample. With the key, each sampled user's pin is found by its
     * keyed hash in both users files, as the gateway finds it; without it, pinned users' requests are
     * counted apart (their region follows their pin, whatever else changes).
     */
    private boolean printSample(PrintWriter out, RoutingSnapshot old, RoutingSnapshot now, List<SampleFile.Line> lines,
            UserHashKey key) throws IOException {
        List<SampledTraffic> entries = new ArrayList<>();
        long pinned = 0;
        for (SampleFile.Line line : lines) {
            if (line.pinned() && key == null) {
                pinned += line.requests();
            } else {
                entries.add(line.toSampled());
            }
        }
        Map<Long, String> pinsBefore = key == null ? Map.of() : byKeyedHash(old.rules(), key);
        Map<Long, String> pinsAfter = key == null ? Map.of() : byKeyedHash(now.rules(), key);
        RegionChangeReport report = RegionChange.compare(old, now, entries,
                entry -> entry.userLogHash() == 0 ? null : pinsBefore.get(entry.userLogHash()),
                entry -> entry.userLogHash() == 0 ? null : pinsAfter.get(entry.userLogHash()));
        out.println();
        out.println("Traffic (" + sample + ": " + lines.size() + " entries):");
        out.println("  " + report.summary());
        report.countries().forEach((country, requests) -> out.println("  country " + country + ": " + requests + " requests"));
        report.examples().forEach(example -> out.println("  e.g. " + example));
        if (pinned > 0) {
            out.println("  " + pinned + " requests of pinned users are not compared: their region follows their pin"
                    + " (pin changes are listed below; --user-hash-key compares them too)");
        }
        return report.moves();
    }

    /** Each pinned user's region by the keyed hash of their id. */
    private static Map<Long, String> byKeyedHash(RoutingRules rules, UserHashKey key) {
        Map<Long, String> pins = new HashMap<>();
        PinChanges.pins(rules).forEach((user, region) -> pins.put(key.hash64(user), region));
        return pins;
    }
}
