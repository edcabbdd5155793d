package io.homeport.cli;

import io.homeport.directory.PinStore;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.RulesLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code homeport pins}: read and write the per-user pins kept in Redis. */
@Command(
        name = "pins",
        mixinStandardHelpOptions = true,
        header = "Reads and writes the per-user pins kept in Redis.",
        description = {
            "A pin is the Redis string homeport:pin:<user id> holding a region name; gateways read it through their",
            "near-cache, which Redis keeps current. Every change is logged (who, when, old and new region) for audit.",
            "Exit codes: 0 done, 1 a bad file, user or region, or Redis unreachable, 2 usage."
        },
        subcommands = {PinsCommand.GetPin.class, PinsCommand.SetPin.class, PinsCommand.DeletePin.class, PinsCommand.ImportPins.class})
final class PinsCommand implements Runnable {

    static final Logger AUDIT = LoggerFactory.getLogger("io.homeport.audit.pins");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: get, set, delete or import");
    }

    /** The options every subcommand has. */
    static class RedisOptions {
        @Option(names = "--redis", paramLabel = "URI", required = true, description = "The Redis node, e.g. redis://127.0.0.1:6379.")
        String uri;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", description = "Per command (default: ${DEFAULT-VALUE}).")
        String timeout;

        Duration timeout() {
            return Duration.parse("PT" + timeout.toUpperCase(Locale.ROOT));
        }
    }

    /** For the data copier: which migration a write belongs to, counted for {@code homeport migrate status}. */
    static class MigrationOption {
        @Option(names = "--migration", paramLabel = "NAME",
                description = "Count the pins written for this migration (shown by homeport migrate status --redis).")
        String migration;

        void count(PinStore store, long pins) {
            if (migration != null && pins > 0) {
                store.countWritten(migration, pins);
            }
        }
    }

    static String who() {
        return System.getProperty("user.name", "unknown");
    }

    /** A region as the commands show it: "(none)" for no pin. */
    static String shown(String region) {
        return region == null ? "(none)" : region;
    }

    /** Logs a user's change for audit (who, when, where) and prints it: {@code USER OLD -> NEW}. */
    static void changed(CommandLine.Model.CommandSpec spec, RedisOptions redis, String what, String user, String before,
            String after) {
        AUDIT.info("pin {}: user {} {} -> {} by {} at {} ({})", what, user, shown(before), shown(after), who(), Instant.now(),
                redis.uri);
        spec.commandLine().getOut().println(user + " " + shown(before) + " -> " + shown(after));
    }

    /** A subcommand on one user's pin: connects to the store, does its work, closes. */
    abstract static class OnePin implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        RedisOptions redis;

        @Override
        public final Integer call() {
            try (PinStore store = PinStore.connect(redis.uri, redis.timeout())) {
                return run(store);
            } catch (IllegalArgumentException e) { // a user id or region the store does not take
                return failed(spec, e.getMessage());
            } catch (RuntimeException e) { // unreachable, too slow, or a write no replica confirmed
                return failed(spec, "Redis at " + redis.uri + ": " + e.getMessage());
            }
        }

        abstract int run(PinStore store);
    }

    /** One line on standard error, naming the command: an SRE's error, not a stack trace. Exit code 1. */
    static int failed(CommandLine.Model.CommandSpec spec, String problem) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + problem);
        return 1;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, header = "Prints a user's pin, or (none).")
    static final class GetPin extends OnePin {
        @Parameters(paramLabel = "USER") String user;

        @Override
        int run(PinStore store) {
            spec.commandLine().getOut().println(user + " " + shown(store.get(user)));
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, header = "Pins a user to a region.")
    static final class SetPin extends OnePin {
        @Parameters(index = "0", paramLabel = "USER") String user;
        @Parameters(index = "1", paramLabel = "REGION") String region;
        @CommandLine.Mixin
        MigrationOption migration;

        @Override
        int run(PinStore store) {
            try {
                written(store, store.set(user, region), "set");
            } catch (PinStore.UnconfirmedWrite e) {
                written(store, e.before(), "set (unconfirmed by replicas)"); // Redis took it: counted and logged all the same
                throw e;
            }
            return 0;
        }

        private void written(PinStore store, String before, String what) {
            migration.count(store, region.equals(before) ? 0 : 1);
            changed(spec, redis, what, user, before, region);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, header = "Removes a user's pin.")
    static final class DeletePin extends OnePin {
        @Parameters(paramLabel = "USER") String user;

        @Override
        int run(PinStore store) {
            try {
                changed(spec, redis, "deleted", user, store.delete(user), null);
            } catch (PinStore.UnconfirmedWrite e) {
                changed(spec, redis, "deleted (unconfirmed by replicas)", user, e.before(), null); // done all the same
                throw e;
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, header = "Writes every pin of a users.csv file, pipelined.",
            description = "Checks the whole file first (as the rules' users file: user_id,region rows); a bad row writes nothing.")
    static final class ImportPins implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        RedisOptions redis;
        @Parameters(paramLabel = "users.csv") Path file;
        @Option(names = "--rules", paramLabel = "RULES.yaml", description = "Only allow the regions these rules define.")
        Path rules;
        @CommandLine.Mixin
        MigrationOption migration;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            Set<String> regions = Set.of();
            if (rules != null) {
                try {
                    regions = new RulesLoader().load(rules).regions().keySet();
                } catch (InvalidRulesException e) {
                    e.problems().forEach(err::println);
                    return 1;
                }
            }
            if (!java.nio.file.Files.exists(file)) {
                err.println("homeport pins import: " + file + ": no such file");
                return 1;
            }
            List<PinStore.BadRow> bad = PinStore.check(file, regions);
            if (!bad.isEmpty()) {
                bad.forEach(row -> err.println(file + ":" + row.line() + ":1: " + row.problem()));
                err.println("homeport pins import: nothing written (" + bad.size() + (bad.size() == 100 ? "+" : "") + " bad rows)");
                return 1;
            }
            try (PinStore store = PinStore.connect(redis.uri, redis.timeout())) {
                return write(store, err);
            } catch (RuntimeException e) { // unreachable, too slow, or a write no replica confirmed
                if (progressShown) {
                    err.println(); // end the progress line
                }
                return failed(spec, "Redis at " + redis.uri + ": " + e.getMessage());
            }
        }

        /** Whether a progress line is on standard error, unfinished. */
        private boolean progressShown;

        /** Writes the checked file, with a progress line each second on standard error. */
        private int write(PinStore store, PrintWriter err) throws Exception {
            long started = System.nanoTime();
            long[] lastPrint = {started};
            long written;
            try {
                written = store.importFile(file, redis.timeout(), count -> {
                    long now = System.nanoTime();
                    if (now - lastPrint[0] >= 1_000_000_000L) {
                        lastPrint[0] = now;
                        err.printf(Locale.ROOT, "\rpins import: %,d written (%,.0f/s)", count, count / ((now - started) / 1e9));
                        err.flush();
                        progressShown = true;
                    }
                });
            } catch (PinStore.UnconfirmedWrite e) {
                imported(store, e.written(), " (unconfirmed by replicas)"); // Redis took them: counted and logged all the same
                throw e;
            }
            imported(store, written, "");
            double seconds = (System.nanoTime() - started) / 1e9;
            err.printf(Locale.ROOT, "\rpins import: %,d written in %.1f s (%,.0f pins/s)%n", written, seconds, written / seconds);
            progressShown = false;
            spec.commandLine().getOut().println(written + " pins written from " + file);
            return 0;
        }

        private void imported(PinStore store, long written, String unconfirmed) {
            migration.count(store, written);
            AUDIT.info("pins imported{}: {} pins from {} by {} at {} ({})", unconfirmed, written, file, who(), Instant.now(),
                    redis.uri);
        }
    }
}
