package io.homeport.cli;

import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Migration;
import io.homeport.rules.MigrationGuard;
import io.homeport.rules.Problem;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code homeport migrate}: a migration's next phase, planned before it is committed. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        header = "Plans a migration's next phase before it is committed.",
        description = {
            "migrate status [NAME] --rules RULES.yaml [--admin URL] [--redis URI]: each migration's state and share, the pins written, and requests on each side.",
            "migrate plan NAME --rules RULES.yaml --to-percent P [--state S]: the rules change to commit and whom it moves."
        },
        subcommands = {MigrateCommand.Status.class, MigrateCommand.Plan.class})
final class MigrateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: status or plan");
    }

    /** The rules file, or null with its problems printed. */
    static RoutingRules load(Path rules, PrintWriter err) {
        try {
            return new RulesLoader().load(rules);
        } catch (InvalidRulesException e) {
            e.problems().forEach(err::println);
            err.flush();
            return null;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Shows each migration's state and share, and, from a gateway, the requests served on each side.",
            description = "With --admin, reads homeport_migration_requests_total from that gateway's /metrics (since its start);"
                    + " with --redis, the pins the copier wrote for each migration (homeport pins set|import --migration NAME);"
                    + " with a users file, its pins to each migration's region."
                    + " Exit codes: 0, 1 a bad rules file or an unreachable gateway or Redis, 2 usage.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "One migration (default: all).")
        String name;

        @Option(names = "--rules", required = true, paramLabel = "RULES.yaml", description = "The rules file serving now.")
        Path rules;

        @Option(names = "--admin", paramLabel = "URL", description = "A gateway's admin server, e.g. http://127.0.0.1:9901.")
        String admin;

        @Option(names = "--token", paramLabel = "TOKEN", description = "Its admin.token, when it has one.")
        String token;

        @Option(names = "--redis", paramLabel = "URI",
                description = "Where the pins are, when the rules keep them in Redis: reads the pins written per migration.")
        String redis;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            RoutingRules current = load(rules, err);
            if (current == null) {
                return 1;
            }
            List<Migration> migrations = current.residency().migrations().stream()
                    .filter(m -> name == null || m.name().equals(name)).toList();
            if (migrations.isEmpty()) {
                err.println(rules + ": no migration" + (name == null ? "s" : " \"" + name + "\""));
                return 1;
            }
            java.util.Map<String, java.util.Map<String, Double>> served = null;
            if (admin != null) {
                try {
                    served = sides(admin, token);
                } catch (java.io.IOException e) {
                    err.println("homeport migrate status: " + admin + "/metrics: " + e.getMessage());
                    return 1;
                }
            }
            java.util.Map<String, Long> written = new java.util.HashMap<>();
            if (redis != null) {
                try (io.homeport.directory.PinStore store = io.homeport.directory.PinStore.connect(redis, java.time.Duration.ofSeconds(5))) {
                    for (Migration migration : migrations) {
                        written.put(migration.name(), store.written(migration.name()));
                    }
                } catch (RuntimeException e) {
                    err.println("homeport migrate status: Redis at " + redis + ": " + e.getMessage());
                    return 1;
                }
            }
            io.homeport.rules.UserPins users = current.residency().users().orElse(null);
            for (Migration migration : migrations) {
                out.printf(Locale.ROOT, "%s: %s, %s%% of %s to %s%s%n", migration.name(), migration.state().key(),
                        Plan.plain(migration.percent()), String.join(", ", new java.util.TreeSet<>(migration.countries())), migration.to(),
                        migration.state().movesUsers() ? "" : " (nobody is served from " + migration.to() + " in this state)");
                if (written.containsKey(migration.name())) {
                    out.printf(Locale.ROOT, "  pins written by the copier: %,d (homeport pins set|import --migration %s; Redis key %s)%n",
                            written.get(migration.name()), migration.name(),
                            io.homeport.directory.PinStore.migrationCounterKey(migration.name()));
                } else if (users != null && users.source() == io.homeport.rules.UserPins.Source.FILE) {
                    out.printf(Locale.ROOT, "  pins to %s in %s: %,d%n", migration.to(), users.describe(),
                            users.table().countPinnedTo(migration.to()));
                }
                if (served != null) {
                    java.util.Map<String, Double> sides = served.getOrDefault(migration.name(), java.util.Map.of());
                    double moved = sides.getOrDefault("moved", 0.0);
                    double pinned = sides.getOrDefault("pinned", 0.0);
                    double source = sides.getOrDefault("source", 0.0);
                    double total = moved + pinned + source;
                    out.printf(Locale.ROOT, "  requests since the gateway started: %.0f moved (%s), %.0f pinned, %.0f on the source%s%n",
                            moved, migration.to(), pinned, source,
                            total == 0 ? "" : String.format(Locale.ROOT, "; %.1f%% served from %s", 100 * moved / total, migration.to()));
                }
            }
            out.flush();
            return 0;
        }

        /** homeport_migration_requests_total by migration and side, from the gateway's /metrics. */
        static java.util.Map<String, java.util.Map<String, Double>> sides(String admin, String token) throws java.io.IOException {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    admin.replaceAll("/+$", "") + "/metrics")).timeout(java.time.Duration.ofSeconds(5));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            java.net.http.HttpResponse<String> response;
            try {
                response = java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted");
            }
            if (response.statusCode() != 200) {
                throw new java.io.IOException("HTTP " + response.statusCode());
            }
            java.util.Map<String, java.util.Map<String, Double>> sides = new java.util.TreeMap<>();
            java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                    "^homeport_migration_requests_total\\{migration=\"([^\"]*)\",side=\"([a-z]+)\"} ([0-9.eE+]+)$");
            for (String text : response.body().split("\n")) {
                java.util.regex.Matcher matcher = line.matcher(text);
                if (matcher.matches()) {
                    sides.computeIfAbsent(matcher.group(1), k -> new java.util.TreeMap<>())
                            .put(matcher.group(2), Double.parseDouble(matcher.group(3)));
                }
            }
            return sides;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            header = "Prints the rules change that takes a migration to a new percent (or state), and whom it moves.",
            description = {
                "Edits only the migration's percent (and state) in a copy of the rules file, checks the copy as a reload",
                "would (valid, tests pass, no migrated user moved back: a lower percent needs --state rolled_back), shows",
                "the lines to commit, and runs homeport diff between the two files over --sample. Writes nothing unless --out.",
                "Exit codes: 0 planned, 1 refused (the reason, at file:line:col), 2 usage."
            })
    static final class Plan implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The migration's name.")
        String name;

        @Option(names = "--rules", required = true, paramLabel = "RULES.yaml", description = "The rules file serving now.")
        Path rules;

        @Option(names = "--to-percent", required = true, paramLabel = "P", description = "The new percent (0..100, two decimals at most).")
        String percent;

        @Option(names = "--state", paramLabel = "STATE", description = "A new state too: planned, copying, cut_over, locked, rolled_back.")
        String state;

        @Option(names = "--geoip", paramLabel = "DB", description = "For the diff and the rules' tests (default: the bundled demo database).")
        Path geoip;

        @Option(names = "--sample", paramLabel = "FILE", description = "Recent traffic (GET /traffic-sample): how many requests it moves.")
        Path sample;

        @Option(names = "--user-hash-key", paramLabel = "FILE", description = "As for homeport diff.")
        Path userHashKey;

        @Option(names = "--out", paramLabel = "NEW.yaml", description = "Write the changed rules file here.")
        Path out;

        @Override
        public Integer call() throws IOException {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            RoutingRules current = load(rules, err);
            if (current == null) {
                return 1;
            }
            Migration migration = current.residency().migrations().stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
            if (migration == null) {
                err.println(rules + ": no migration \"" + name + "\" (migrations: "
                        + String.join(", ", current.residency().migrations().stream().map(Migration::name).toList()) + ")");
                return 1;
            }
            if (state != null && Migration.State.ofKey(state) == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--state " + state
                        + " (expected one of planned, copying, cut_over, locked, rolled_back)");
            }
            String text = Files.readString(rules, StandardCharsets.UTF_8);
            List<Edit> edits = edits(text);
            if (edits == null) {
                err.println(rules + ": migration \"" + name + "\" is not written as a plain mapping with a percent; edit it by hand");
                return 1;
            }
            String changed = apply(text, edits);
            // Beside the original, so that its users file and relative paths resolve the same.
            Path candidate = rules.resolveSibling("." + rules.getFileName() + ".plan-" + ProcessHandle.current().pid() + ".yaml");
            try {
                Files.writeString(candidate, changed, StandardCharsets.UTF_8);
                RoutingRules next;
                try {
                    next = new RulesLoader().load(candidate);
                } catch (InvalidRulesException e) {
                    e.problems().forEach(problem -> err.println(problem.toString().replace(candidate.toString(), rules + " (planned)")));
                    return 1;
                }
                List<Problem> backwards = MigrationGuard.check(current, next);
                Migration after = next.residency().migrations().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
                stdout.printf(Locale.ROOT, "homeport migrate plan %s: percent %s -> %s, state %s -> %s (%s)%n", name,
                        plain(migration.percent()), plain(after.percent()), migration.state().key(), after.state().key(), rules);
                stdout.println();
                stdout.println("The change to commit:");
                printHunk(stdout, rules, text, changed);
                if (!backwards.isEmpty()) {
                    stdout.println();
                    backwards.forEach(problem -> err.println(problem.toString().replace(candidate.toString(), rules + " (planned)")));
                    err.println("homeport migrate plan: refused: a reload would refuse this change");
                    return 1;
                }
                if (out != null) {
                    Files.writeString(out, changed, StandardCharsets.UTF_8);
                    stdout.println("  written to " + out);
                }
                stdout.println();
                stdout.println("Whom it moves (homeport diff):");
                stdout.flush();
                List<String> diffArgs = new ArrayList<>(List.of("diff", "--rules", rules.toString(), candidate.toString()));
                if (geoip != null) {
                    diffArgs.addAll(List.of("--geoip", geoip.toString()));
                }
                if (sample != null) {
                    diffArgs.addAll(List.of("--sample", sample.toString()));
                }
                if (userHashKey != null) {
                    diffArgs.addAll(List.of("--user-hash-key", userHashKey.toString()));
                }
                java.io.StringWriter diffOut = new java.io.StringWriter();
                java.io.StringWriter diffErr = new java.io.StringWriter();
                CommandLine diff = HomeportCommand.commandLine();
                diff.setOut(new PrintWriter(diffOut));
                diff.setErr(new PrintWriter(diffErr));
                int code = diff.execute(diffArgs.toArray(String[]::new));
                diffOut.toString().replace(candidate.toString(), rules + " (planned)").lines().forEach(line -> stdout.println("  " + line));
                err.print(diffErr);
                return code == DiffCommand.ERROR ? 1 : 0;
            } finally {
                Files.deleteIfExists(candidate);
            }
        }

        /** A replacement of the characters [start, end) of the file. */
        private record Edit(int start, int end, String replacement) {}

        /** The percent (and state) scalars of the migration, or null when it is not a plain mapping. */
        private List<Edit> edits(String text) {
            LoaderOptions options = new LoaderOptions();
            Node root = new Yaml(options).compose(new StringReader(text));
            Node residency = child(root, "residency");
            if (!(child(residency, "migrations") instanceof SequenceNode list)) {
                return null;
            }
            for (Node item : list.getValue()) {
                if (child(item, "name") instanceof ScalarNode named && named.getValue().equals(name)) {
                    if (!(child(item, "percent") instanceof ScalarNode percentNode)) {
                        return null;
                    }
                    List<Edit> edits = new ArrayList<>();
                    edits.add(new Edit(percentNode.getStartMark().getIndex(), percentNode.getEndMark().getIndex(), percent));
                    if (state != null) {
                        if (child(item, "state") instanceof ScalarNode stateNode) {
                            edits.add(new Edit(stateNode.getStartMark().getIndex(), stateNode.getEndMark().getIndex(), state));
                        } else {
                            // No state yet: written after the percent, in the file's own style.
                            boolean flow = item instanceof MappingNode mapping
                                    && mapping.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW;
                            String indent = " ".repeat(percentNode.getStartMark().getColumn() - "percent: ".length());
                            edits.add(new Edit(percentNode.getEndMark().getIndex(), percentNode.getEndMark().getIndex(),
                                    flow ? ", state: " + state : "\n" + indent + "state: " + state));
                        }
                    }
                    edits.sort(java.util.Comparator.comparingInt(Edit::start));
                    return edits;
                }
            }
            return null;
        }

        private static String apply(String text, List<Edit> edits) {
            StringBuilder result = new StringBuilder(text);
            for (int i = edits.size() - 1; i >= 0; i--) {
                Edit edit = edits.get(i);
                result.replace(edit.start, edit.end, edit.replacement);
            }
            return result.toString();
        }

        /** The changed lines, as one hunk: the edits touch one migration, a line or two apart. */
        private static void printHunk(PrintWriter out, Path file, String before, String after) {
            String[] a = before.split("\n", -1);
            String[] b = after.split("\n", -1);
            int top = 0;
            while (top < a.length && top < b.length && a[top].equals(b[top])) {
                top++;
            }
            int endA = a.length - 1;
            int endB = b.length - 1;
            while (endA >= top && endB >= top && a[endA].equals(b[endB])) {
                endA--;
                endB--;
            }
            out.println("  " + file + ":" + (top + 1));
            for (int i = top; i <= endA; i++) {
                out.println("  -" + a[i]);
            }
            for (int i = top; i <= endB; i++) {
                out.println("  +" + b[i]);
            }
        }

        private static Node child(Node node, String key) {
            if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                        return tuple.getValueNode();
                    }
                }
            }
            return null;
        }

        private static String plain(double percent) {
            return percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent);
        }
    }
}
