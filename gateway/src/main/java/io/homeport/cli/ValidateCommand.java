package io.homeport.cli;

import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.MigrationGuard;
import io.homeport.rules.Problem;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.routing.RuleTestRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code homeport validate}: checks rules files and runs their tests, reporting every problem. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        header = "Checks rules files and runs the tests in them.",
        description = {
            "Checks rules files and runs the tests in them. Prints every problem as file:line:col: message.",
            "Exit codes: 0 valid and tests pass, 1 invalid or a test failed, 2 usage."
        })
final class ValidateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--geoip", paramLabel = "DB",
            description = "The GeoIP database the tests' ip: entries are looked up in (default: the bundled demo database).")
    Path geoip;

    @Option(names = "--previous", paramLabel = "OLD.yaml",
            description = "The rules serving now: refuse what would move migrated users back (a lower percent, a migration"
                    + " dropped before its countries are mapped) unless its state says rolled_back. One RULES.yaml only.")
    Path previous;

    @Parameters(arity = "1..*", paramLabel = "RULES.yaml", description = "Rules files to check.")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GeoIpDatabase database;
        try {
            database = GeoIpOption.open(geoip);
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport validate: GeoIP database refused: " + e.getMessage());
            return 1;
        }
        if (previous != null && files.size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--previous compares one new rules file with it (got "
                    + files.size() + ")");
        }
        RoutingRules before = null;
        if (previous != null) {
            try {
                before = new RulesLoader().load(previous);
            } catch (InvalidRulesException e) {
                err.println("homeport validate: --previous " + previous + " is not a valid rules file:");
                e.problems().forEach(err::println);
                err.flush();
                return 1;
            }
        }
        boolean allGood = true;
        boolean usedDemoDatabase = false;
        try (database) {
            for (Path file : files) {
                try {
                    RoutingRules rules = new RulesLoader().load(file);
                    List<Problem> failures = RuleTestRunner.run(new RoutingSnapshot(rules, database));
                    List<Problem> backwards = before == null ? List.of() : MigrationGuard.check(before, rules);
                    failures.forEach(err::println);
                    backwards.forEach(err::println);
                    err.flush();
                    allGood &= failures.isEmpty() && backwards.isEmpty();
                    usedDemoDatabase |= geoip == null && rules.tests().stream().anyMatch(t -> t.ip().isPresent());
                    out.println(file + ": " + (failures.isEmpty() && backwards.isEmpty() ? "ok" : "FAILED") + " ("
                            + summary(rules, failures.size())
                            + (before == null ? "" : backwards.isEmpty() ? "; moves no migrated user back from " + previous
                                    : "; " + backwards.size() + " change" + (backwards.size() == 1 ? "" : "s")
                                            + " would move migrated users back from " + previous) + ")");
                } catch (InvalidRulesException e) {
                    e.problems().forEach(err::println);
                    err.flush();
                    out.println(file + ": invalid (" + e.problems().size() + (e.problems().size() == 1 ? " problem)" : " problems)"));
                    allGood = false;
                }
            }
        }
        if (usedDemoDatabase) {
            out.println("note: tests with ip: were looked up in the bundled demo GeoIP database; pass --geoip to use yours");
        }
        err.flush();
        out.flush();
        return allGood ? 0 : 1;
    }

    private static String summary(RoutingRules rules, int failed) {
        int pins = rules.residency().users().map(users -> users.table().size()).orElse(0);
        int tests = rules.tests().size();
        return rules.regions().size() + " regions, " + rules.residency().countries().size() + " countries, "
                + rules.residency().migrations().size() + " migrations, " + pins + " pinned users, "
                + (tests - failed) + "/" + tests + " tests passed";
    }
}
