package io.homeport.reload;

import io.homeport.canary.RegionChange;
import io.homeport.canary.RegionChangeReport;
import io.homeport.canary.SampledTraffic;
import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.routing.ExternalPins;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.routing.RuleTestRunner;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.MigrationGuard;
import io.homeport.rules.Problem;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import io.homeport.rules.UserPins;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of the rules file and the GeoIP database: builds and validates a new {@link
 * ServingConfig} off the event loops and swaps it into the {@link SnapshotHolder} in one step, or
 * refuses it and keeps the old one serving.
 *
 * <p>Triggers, once {@link #start() started}: a file watch on the files' directories (debounced,
 * so an editor's write-then-rename is one reload), polling of size and modification time as a
 * fallback for file systems that do not deliver watch events, and SIGHUP. {@link #reload} and
 * {@link #reloadAsync} serve direct callers such as the admin {@code POST /reload}.
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Every triggered reload runs on one daemon thread, so reloads never overlap and never run
 *       on a Netty event loop; {@link #reload} is also synchronized for direct callers.
 *   <li>Only what changed is rebuilt. The rules are reloaded when the file's SHA-256 differs from
 *       the serving rules' (or the users file they name changed); the database when its SHA-256
 *       differs. An unchanged database keeps its cache, which stays warm across rule edits.
 *   <li>A new configuration must also pass the rules file's {@code tests:} against the database it
 *       will serve with: a file whose tests fail is refused like a file that does not parse.
 *   <li>A replaced database is not closed: requests that read the old snapshot just before the
 *       swap may still look addresses up in it. It is held in memory and collected with them.
 * </ul>
 */
public final class ConfigReloader implements AutoCloseable {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    private static final Logger logger = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path rulesFile;
    private final Path geoipFile;
    private final long cacheMaxEntries;
    /** Answers pins for rules that keep them in Redis; null without a directory. */
    private volatile ExternalPins externalPins;
    private final SnapshotHolder holder;
    private final GatewayMetrics metrics;
    private final Duration pollInterval;
    private final ScheduledThreadPoolExecutor executor;
    private final ReloadSettings settings;
    private final Supplier<List<SampledTraffic>> sample;
    private volatile ReloadResult lastResult;

    // Guarded by this (reload is synchronized): fingerprints of what is serving.
    private String databaseSha;
    private String usersSha;
    // Guarded by this: whether the last reload refused the rules or the database and nothing has
    // been applied since, so that a file put back as it was is logged and counted as good again.
    private boolean rulesRefused;
    private boolean databaseRefused;

    private final ReloadTriggers triggers;

    public ConfigReloader(Path rulesFile, Path geoipFile, long cacheMaxEntries, SnapshotHolder holder, GatewayMetrics metrics) {
        this(rulesFile, geoipFile, cacheMaxEntries, holder, metrics, DEFAULT_POLL_INTERVAL);
    }

    /**
     * A reloader for the files behind {@code holder}'s current configuration. Binds that
     * configuration's GeoIP cache to {@code metrics}; later caches are bound as they are swapped in.
     */
    public ConfigReloader(Path rulesFile, Path geoipFile, long cacheMaxEntries, SnapshotHolder holder,
            GatewayMetrics metrics, Duration pollInterval) {
        this(rulesFile, geoipFile, cacheMaxEntries, holder, metrics, pollInterval, ReloadSettings.DEFAULTS, List::of);
    }

    /**
     * A reloader whose canary compares each candidate configuration with the serving one over
     * {@code sample} (the gateway's recent traffic) and refuses what moves more than {@code
     * settings} allow.
     */
    public ConfigReloader(Path rulesFile, Path geoipFile, long cacheMaxEntries, SnapshotHolder holder,
            GatewayMetrics metrics, Duration pollInterval, ReloadSettings settings, Supplier<List<SampledTraffic>> sample) {
        this.rulesFile = Objects.requireNonNull(rulesFile, "rulesFile");
        this.geoipFile = Objects.requireNonNull(geoipFile, "geoipFile");
        if (cacheMaxEntries < 0) {
            throw new IllegalArgumentException("cacheMaxEntries: " + cacheMaxEntries + " (expected: >= 0)");
        }
        this.cacheMaxEntries = cacheMaxEntries;
        this.holder = Objects.requireNonNull(holder, "holder");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
        }
        this.pollInterval = pollInterval;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sample = Objects.requireNonNull(sample, "sample");
        this.executor = newReloadExecutor();
        this.triggers = new ReloadTriggers(executor, pollInterval, this::watchedFiles, this::reload);
        ServingConfig current = holder.current();
        this.databaseSha = shaOrNull(current.database().file());
        this.usersSha = usersShaOf(current.snapshot().rules());
        metrics.bindGeoCache(current.geo());
    }

    private static ScheduledThreadPoolExecutor newReloadExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "homeport-reload");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /**
     * Loads a serving configuration from scratch, as at start: rules, database, a fresh cache, and
     * the rules file's tests run against them.
     *
     * @throws InvalidRulesException when the rules file is invalid or one of its tests fails
     * @throws InvalidGeoIpDatabaseException when the database cannot be opened
     */
    public static ServingConfig load(Path rulesFile, Path geoipFile, long cacheMaxEntries)
            throws InvalidRulesException, InvalidGeoIpDatabaseException {
        return load(rulesFile, geoipFile, cacheMaxEntries, null);
    }

    /** {@link #load(Path, Path, long)} with the pin directory that rules keeping their pins in Redis need (or null: none). */
    public static ServingConfig load(Path rulesFile, Path geoipFile, long cacheMaxEntries, ExternalPins pins)
            throws InvalidRulesException, InvalidGeoIpDatabaseException {
        RoutingRules rules = new RulesLoader().load(rulesFile);
        Problem noStore = pinStoreProblem(rules, pins);
        if (noStore != null) {
            throw new InvalidRulesException(List.of(noStore));
        }
        GeoIpDatabase database = GeoIpDatabase.open(geoipFile);
        CachingGeoLookup geo = new CachingGeoLookup(database, cacheMaxEntries);
        RoutingSnapshot tested = new RoutingSnapshot(rules, geo);
        List<Problem> failures = RuleTestRunner.run(tested);
        if (!failures.isEmpty()) {
            database.close();
            throw new InvalidRulesException(failures);
        }
        return new ServingConfig(serving(rules, geo, tested, pins), database, geo);
    }

    /** Rules that keep their pins in Redis need the gateway's pin directory; else null. */
    static Problem pinStoreProblem(RoutingRules rules, ExternalPins pins) {
        boolean redis = rules.residency().users().map(users -> users.source() == UserPins.Source.REDIS).orElse(false);
        return redis && pins == null ? new Problem(rules.source().file().toString(), 1, 1,
                "residency.users.source is redis, but gateway.yaml has no directory.redis (where the pins are)") : null;
    }

    /**
     * The snapshot that serves: the tested one, or for pins in Redis the same rules answering pins from
     * the directory. Rule tests never see the live directory: their expectations would depend on its data.
     */
    static RoutingSnapshot serving(RoutingRules rules, io.homeport.routing.GeoLookup geo, RoutingSnapshot tested, ExternalPins pins) {
        boolean redis = rules.residency().users().map(users -> users.source() == UserPins.Source.REDIS).orElse(false);
        return redis ? new RoutingSnapshot(rules, geo, pins) : tested;
    }

    /** The pin directory new snapshots answer pins from, for rules that keep them in Redis; null for none. */
    public void externalPins(ExternalPins pins) {
        this.externalPins = pins;
    }

    public Path rulesFile() {
        return rulesFile;
    }

    public Path geoipFile() {
        return geoipFile;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    // --- reloading ---------------------------------------------------------------------------

    /**
     * Reloads what changed, validates it, and swaps it in; on any problem nothing is swapped.
     * Never throws. {@code trigger} (e.g. "admin", "sighup", "poll") only goes to the log.
     */
    public ReloadResult reload(String trigger) {
        return reload(trigger, false);
    }

    /**
     * {@link #reload(String)}; with {@code force}, a change the canary would refuse for what it
     * moves is applied anyway (and logged as forced). Every other check still applies.
     */
    public synchronized ReloadResult reload(String trigger, boolean force) {
        ReloadResult result;
        try {
            result = reloadOnce(trigger, force);
        } catch (RuntimeException e) {
            logger.error("reload ({}) failed unexpectedly; the previous configuration keeps serving", trigger, e);
            result = ReloadResult.refused(List.of("internal error: " + e));
        }
        if (result.changed() || !result.success()) {
            lastResult = result;
        }
        return result;
    }

    /** The last reload that changed something or was refused, whatever triggered it; null before any. */
    public ReloadResult lastResult() {
        return lastResult;
    }

    /** Runs {@link #reload} on the reload thread; fails with IllegalStateException once closed. */
    public CompletableFuture<ReloadResult> reloadAsync(String trigger) {
        return reloadAsync(trigger, false);
    }

    /** Runs {@link #reload(String, boolean)} on the reload thread; fails with IllegalStateException once closed. */
    public CompletableFuture<ReloadResult> reloadAsync(String trigger, boolean force) {
        try {
            return CompletableFuture.supplyAsync(() -> reload(trigger, force), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the config reloader is closed", e));
        }
    }

    private ReloadResult reloadOnce(String trigger, boolean force) {
        ServingConfig current = holder.current();
        // Stamped before reading, so a write during this reload is still seen by the next poll.
        triggers.markSeen();
        ReloadPlan plan = new ReloadPlan(current);
        plan.loadRules();
        plan.loadDatabase();
        if (!plan.hasErrors() && !plan.rulesChanged && !plan.databaseChanged) {
            if (rulesRefused || databaseRefused) {
                // A refused file was put back as it was: what is on disk serves again.
                List<String> recovered = new ArrayList<>();
                if (rulesRefused) {
                    recovered.add("rules: " + rulesFile + " is the serving rules file again");
                    metrics.configReload("rules", true);
                }
                if (databaseRefused) {
                    recovered.add("geoip: " + geoipFile + " is the serving database again");
                    metrics.configReload("geoip", true);
                }
                rulesRefused = false;
                databaseRefused = false;
                logger.info("reload ({}) applied: {}; the earlier refusal no longer applies", trigger, String.join("; ", recovered));
                return ReloadResult.applied(recovered);
            }
            if (!ReloadTriggers.isOperatorAction(trigger)) {
                logger.debug("reload ({}): nothing changed", trigger);
            } else {
                logger.info("reload ({}): nothing changed in {} and {}; the serving configuration stays", trigger, rulesFile, geoipFile);
            }
            return ReloadResult.applied(List.of());
        }
        RoutingSnapshot snapshot = plan.hasErrors() ? null : plan.runRuleTests();
        if (plan.hasErrors()) {
            plan.discard();
            countFailures(plan);
            logger.warn("reload ({}) refused; the previous configuration keeps serving:\n  {}",
                    trigger, String.join("\n  ", plan.errors));
            return ReloadResult.refused(plan.errors);
        }
        // The canary: every sampled request decided under the serving and the candidate snapshot.
        RegionChangeReport change = RegionChange.compare(current.snapshot(), snapshot, sample.get());
        metrics.reloadRegionChange(change.movedShare());
        String refusal = canaryRefusal(plan, change, force);
        if (refusal != null && !force) {
            plan.errors.add(refusal);
            plan.discard();
            countFailures(plan);
            logger.warn("reload ({}) refused; the previous configuration keeps serving:\n  {}\n  {}",
                    trigger, refusal, String.join("\n  ", change.examples()));
            return ReloadResult.refused(plan.errors, change);
        }
        if (refusal != null) {
            logger.warn("reload ({}) FORCED past the canary: {}", trigger, refusal);
        }
        ServingConfig next = new ServingConfig(snapshot, plan.database, plan.geo);
        holder.swap(next);
        if (plan.databaseChanged) {
            metrics.bindGeoCache(plan.geo);
            databaseSha = plan.databaseSha;
            databaseRefused = false;
            metrics.configReload("geoip", true);
        }
        if (plan.rulesChanged) {
            usersSha = plan.loadedUsersSha;
            rulesRefused = false;
            metrics.configReload("rules", true);
        }
        triggers.filesChanged();
        logger.info("reload ({}) applied{}: {}; {}", trigger, refusal != null ? " (forced)" : "", String.join("; ", plan.changes),
                change.summary());
        return ReloadResult.applied(plan.changes, change, refusal != null);
    }

    /**
     * Why the canary refuses this change, or null: a new database that moves more recent requests
     * than {@code reload.max_region_change}, or a rules file past {@code reload.max_rules_region_change}.
     * Unless {@code forced}, the refused file's reload counts as failed.
     */
    private String canaryRefusal(ReloadPlan plan, RegionChangeReport change, boolean forced) {
        if (plan.databaseChanged && change.movedShare() > settings.maxRegionChange()) {
            plan.databaseFailed |= !forced;
            return geoipFile + ": the new database changes the home region of " + change.moved()
                    + ", more than reload.max_region_change (" + RegionChangeReport.percent(settings.maxRegionChange())
                    + "); the previous database keeps serving (POST /reload?force=true applies it anyway)";
        }
        if (plan.rulesChanged && settings.maxRulesRegionChange().isPresent()
                && change.movedShare() > settings.maxRulesRegionChange().getAsDouble()) {
            plan.rulesFailed |= !forced;
            return rulesFile + ": the new rules change the home region of " + change.moved()
                    + ", more than reload.max_rules_region_change ("
                    + RegionChangeReport.percent(settings.maxRulesRegionChange().getAsDouble())
                    + "); the previous rules keep serving (POST /reload?force=true applies them anyway)";
        }
        return null;
    }

    private void countFailures(ReloadPlan plan) {
        if (plan.rulesFailed) {
            rulesRefused = true;
            metrics.configReload("rules", false);
        }
        if (plan.databaseFailed) {
            databaseRefused = true;
            metrics.configReload("geoip", false);
        }
    }

    /** One reload's work in progress: what was loaded, what changed, what went wrong. */
    private final class ReloadPlan {
        String loadedUsersSha;
        final ServingConfig current;
        final List<String> changes = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        RoutingRules rules;
        GeoIpDatabase database;
        CachingGeoLookup geo;
        String databaseSha = ConfigReloader.this.databaseSha;
        boolean rulesChanged;
        boolean databaseChanged;
        boolean rulesFailed;
        boolean databaseFailed;

        ReloadPlan(ServingConfig current) {
            this.current = current;
            this.rules = current.snapshot().rules();
            this.database = current.database();
            this.geo = current.geo();
        }

        boolean hasErrors() {
            return !errors.isEmpty();
        }

        void loadRules() {
            if (!rulesFileChanged(rules)) {
                return;
            }
            // Hashed before loading: if the users file is replaced while it is being parsed, the
            // recorded hash is the older one and the next check reloads again, rather than the
            // newer file's hash being recorded for the older content and the change never applied.
            String usersShaBefore = usersShaOf(rules);
            try {
                RoutingRules loaded = new RulesLoader().load(rulesFile);
                // Users a migration already moved are never moved back by accident (not even forced).
                List<Problem> backwards = MigrationGuard.check(rules, loaded);
                if (!backwards.isEmpty()) {
                    backwards.forEach(problem -> errors.add(problem.toString()));
                    rulesFailed = true;
                    return;
                }
                changes.add(describeRulesChange(rules, loaded));
                boolean sameUsersFile = Objects.equals(usersFileOf(loaded), usersFileOf(rules));
                loadedUsersSha = sameUsersFile ? usersShaBefore : usersShaOf(loaded);
                rules = loaded;
                rulesChanged = true;
            } catch (InvalidRulesException e) {
                e.problems().forEach(problem -> errors.add(problem.toString()));
                rulesFailed = true;
            }
        }

        void loadDatabase() {
            String sha = shaOrNull(geoipFile);
            if (sha != null && sha.equals(databaseSha)) {
                return;
            }
            try {
                GeoIpDatabase opened = GeoIpDatabase.open(geoipFile);
                changes.add(describeDatabaseChange(database, databaseSha, opened, sha));
                database = opened;
                geo = new CachingGeoLookup(opened, cacheMaxEntries);
                databaseSha = sha;
                databaseChanged = true;
            } catch (InvalidGeoIpDatabaseException e) {
                errors.add(e.getMessage() + " (file refused; the previous database keeps serving)");
                databaseFailed = true;
            }
        }

        /** The candidate snapshot; its rule test failures are errors of whichever file changed. */
        RoutingSnapshot runRuleTests() {
            RoutingSnapshot snapshot = new RoutingSnapshot(rules, geo);
            List<Problem> failures = new ArrayList<>(RuleTestRunner.run(snapshot));
            Problem noStore = pinStoreProblem(rules, externalPins);
            if (noStore != null) {
                failures.add(noStore);
            }
            snapshot = serving(rules, geo, snapshot, externalPins);
            if (!failures.isEmpty()) {
                failures.forEach(problem -> errors.add(problem.toString()));
                if (databaseChanged && !rulesChanged) {
                    errors.add(geoipFile + ": the rules file's tests fail with this database");
                }
                rulesFailed |= rulesChanged;
                databaseFailed |= databaseChanged;
            }
            return snapshot;
        }

        /** Releases a database opened for a refused reload; nobody else has seen it. */
        void discard() {
            if (databaseChanged && database != current.database()) {
                database.close();
            }
        }
    }

    private boolean rulesFileChanged(RoutingRules serving) {
        String sha = shaOrNull(rulesFile);
        if (sha == null || !sha.equals(serving.source().sha256())) {
            return true; // unreadable files are loaded anyway, so the loader reports them
        }
        return !Objects.equals(usersShaOf(serving), usersSha);
    }

    private String describeRulesChange(RoutingRules before, RoutingRules after) {
        String beforeSha = before.source().sha256();
        String afterSha = after.source().sha256();
        if (beforeSha.equals(afterSha)) {
            return "rules: users file " + after.residency().users().map(UserPins::file).map(Path::toString).orElse("-")
                    + " changed: " + RulesChange.describe(before, after) + " (rules sha256 " + Sha256.abbreviate(afterSha) + " unchanged)";
        }
        return "rules: " + RulesChange.describe(before, after) + "; sha256 " + Sha256.abbreviate(beforeSha) + " -> "
                + Sha256.abbreviate(afterSha) + " (" + rulesFile + ")";
    }

    private static String describeDatabaseChange(GeoIpDatabase before, String beforeSha, GeoIpDatabase after, String afterSha) {
        String from = describe(before);
        String to = describe(after);
        String change = "geoip: " + from + " -> " + to;
        if (from.equals(to)) {
            change += ", sha256 " + Sha256.abbreviate(beforeSha) + " -> " + Sha256.abbreviate(afterSha);
        }
        return change + " (" + after.file() + ")";
    }

    private static String describe(GeoIpDatabase database) {
        return database.databaseType() + " built " + LocalDate.ofInstant(database.buildTime(), ZoneOffset.UTC);
    }

    private static Path usersFileOf(RoutingRules rules) {
        return rules.residency().users().map(UserPins::file).orElse(null);
    }

    private static String usersShaOf(RoutingRules rules) {
        return rules.residency().users().map(UserPins::file).map(ConfigReloader::shaOrNull).orElse(null);
    }

    private static String shaOrNull(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            return null;
        }
    }

    // --- triggers ----------------------------------------------------------------------------

    /**
     * Starts the triggers: file watching (when the file system supports it), polling every
     * {@link #pollInterval()}, and SIGHUP (when the JVM allows it). Idempotent.
     *
     * @throws IllegalStateException once closed
     */
    public void start() {
        triggers.start();
    }

    /** Whether SIGHUP is wired to reload; for tests. */
    boolean reloadsOnSighup() {
        return triggers.reloadsOnSighup();
    }

    /** Whether file events are watched (else only polling finds changes); for tests. */
    boolean watchesFiles() {
        return triggers.watchesFiles();
    }

    private List<Path> watchedFiles() {
        List<Path> files = new ArrayList<>(List.of(rulesFile, geoipFile));
        holder.current().snapshot().rules().residency().users().map(UserPins::file).ifPresent(files::add);
        return files;
    }

    /** Stops the triggers and the reload thread; a reload in progress finishes. */
    @Override
    public void close() {
        triggers.close();
        executor.shutdown();
    }
}
