package io.homeport.routing;

import io.homeport.residency.MigrationBucket;
import io.homeport.residency.ResidencyTable;
import io.homeport.residency.StableHash;
import io.homeport.rules.Migration;
import io.homeport.rules.Region;
import io.homeport.rules.Residency;
import io.homeport.rules.Route;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.UserPins;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rules, residency table and GeoIP database as one immutable unit. The gateway holds one in a
 * volatile field, reads it once per request, and swaps it whole on reload, so a request never sees
 * half of an old configuration and half of a new one.
 *
 * <p>{@link #decide} is the hot path; {@link #explain} runs the very same steps and records them.
 */
public final class RoutingSnapshot {

    private final RoutingRules rules;
    private final GeoLookup geo;
    private final DecisionTable decisions;
    private final Migration[] migrations;
    private final CountryPlans plans;
    private final RouteMatcher routeMatcher;
    /** The user pins, or null when the rules have none. */
    private final ResidencyTable pins;
    /** For each region index of {@link #pins}, the decision table's region index, or -1. */
    private final int[] pinRegions;
    /** Whether a user id's hash can matter: for its pin, or for a migration's bucket. */
    private final boolean hashesUserIds;
    /** Per route index, the decision that refuses a request whose GeoIP lookup failed: no region. */
    private final Decision[] lookupErrorRejections;
    /** Per route index, the decision that refuses a strict request whose pin cannot be read. */
    private final Decision[] pinUnavailableRejections;
    /** The pins of {@code residency.users.source: redis}, or null when the pins (if any) are a file's. */
    private final ExternalPins external;

    public RoutingSnapshot(RoutingRules rules, GeoLookup geo) {
        this(rules, geo, null);
    }

    /**
     * With {@code external} answering for the pins when the rules keep them in Redis (null there:
     * nobody is pinned — what validate, diff and rule tests see); ignored for a users file.
     */
    public RoutingSnapshot(RoutingRules rules, GeoLookup geo, ExternalPins external) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.geo = Objects.requireNonNull(geo, "geo");
        this.decisions = new DecisionTable(rules);
        this.migrations = rules.residency().migrations().toArray(new Migration[0]);
        List<String> regions = decisions.regions();
        this.plans = new CountryPlans(rules, regions);
        this.routeMatcher = new RouteMatcher(rules.routes());
        boolean redis = rules.residency().users().map(users -> users.source() == UserPins.Source.REDIS).orElse(false);
        this.external = redis ? (external == null ? ExternalPins.NONE : external) : null;
        this.pins = redis ? null : rules.residency().users().map(UserPins::table).orElse(null);
        List<String> pinned = pins == null ? List.of() : pins.regions();
        this.pinRegions = new int[pinned.size()];
        for (int i = 0; i < pinRegions.length; i++) {
            pinRegions[i] = regions.indexOf(pinned.get(i));
        }
        this.hashesUserIds = pins != null || this.external != null || migrations.length > 0;
        List<Route> routes = new ArrayList<>(rules.routes());
        routes.add(Route.DEFAULT);
        this.lookupErrorRejections = new Decision[routes.size()];
        for (int i = 0; i < lookupErrorRejections.length; i++) {
            lookupErrorRejections[i] = new Decision(routes.get(i), null, Reason.LOOKUP_ERROR, null, null);
        }
        this.pinUnavailableRejections = new Decision[routes.size()];
        for (int i = 0; i < pinUnavailableRejections.length; i++) {
            pinUnavailableRejections[i] = new Decision(routes.get(i), null, Reason.PIN_UNAVAILABLE, null, null);
        }
    }

    public RoutingRules rules() {
        return rules;
    }

    /** The migration covering {@code country} (null: none, or no country), for counting requests by side. */
    public Migration migrationOf(String country) {
        int index = CountryPlans.indexOf(country);
        return index < 0 || index == CountryPlans.NO_COUNTRY ? null : plans.migration(index);
    }

    public GeoLookup geo() {
        return geo;
    }

    /** The home region of {@code request}: user pin, then migration bucket, then country, then default. */
    public Decision decide(RoutingRequest request) {
        return decide(request, lookUpCountry(request), Trace.NONE);
    }

    /**
     * The same decision for an IPv4 client given as its 32 bits: what the gateway calls for IPv4
     * clients. Allocates nothing when the address is in the GeoIP cache.
     */
    public Decision decideIpv4(int clientAddress, CharSequence userId, String host, String path) {
        return decideIpv4(clientAddress, lookupIpv4(clientAddress), userId, host, path);
    }

    /**
     * {@link #decideIpv4(int, CharSequence, String, String)} with the address's country already
     * known: {@code lookup} must be what {@link #lookupIpv4} answers for it (or answered, under
     * this snapshot's database: the gateway remembers answers for repeated clients).
     */
    public Decision decideIpv4(int clientAddress, CountryLookup lookup, CharSequence userId, String host, String path) {
        return decideFast(null, clientAddress, 0, 0, false, userId, host, path, lookup);
    }

    /** What this snapshot's database says of an IPv4 client: {@link CountryLookup#NON_PUBLIC} for a non-public one. */
    public CountryLookup lookupIpv4(int clientAddress) {
        return IpAddresses.isNonPublicIpv4(clientAddress) ? CountryLookup.NON_PUBLIC : geo.lookupIpv4(clientAddress);
    }

    /**
     * The same decision for an IPv6 client (not IPv4-mapped: those are IPv4 clients, {@link
     * #decideIpv4}) given as its 128 bits. Allocates nothing when the address is in the GeoIP cache.
     */
    public Decision decideIpv6(long high, long low, CharSequence userId, String host, String path) {
        return decideIpv6(high, low, lookupIpv6(high, low), userId, host, path);
    }

    /** {@link #decideIpv6(long, long, CharSequence, String, String)} with the country known, as {@link #decideIpv4(int, CountryLookup, CharSequence, String, String)}. */
    public Decision decideIpv6(long high, long low, CountryLookup lookup, CharSequence userId, String host, String path) {
        return decideFast(null, 0, high, low, true, userId, host, path, lookup);
    }

    /** What this snapshot's database says of an IPv6 client (not IPv4-mapped): {@link CountryLookup#NON_PUBLIC} for a non-public one. */
    public CountryLookup lookupIpv6(long high, long low) {
        return IpAddresses.isNonPublicIpv6(high, low) ? CountryLookup.NON_PUBLIC : geo.lookupIpv6(high, low);
    }

    /** The decision for a request whose country is already known (rule tests without a database). */
    public Decision decide(RoutingRequest request, CountryLookup country) {
        return decide(request, country, Trace.NONE);
    }

    public Explanation explain(RoutingRequest request) {
        CountryLookup country = IpAddresses.isNonPublic(request.clientAddress()) ? CountryLookup.NON_PUBLIC
                : geo.lookupUncached(request.clientAddress());
        return explain(request, country);
    }

    public Explanation explain(RoutingRequest request, CountryLookup country) {
        Trace trace = new Trace();
        trace.step("client address " + IpAddresses.toText(request.clientAddress()));
        Decision decision = decide(request, country, trace);
        if (decision.refused()) {
            trace.step("no region may serve this request: 503 with Retry-After");
            return new Explanation(request, decision, country, geo.description(), trace.bucket, List.of(), trace.steps);
        }
        List<String> candidates = new ArrayList<>();
        candidates.add(decision.region());
        candidates.addAll(rules.region(decision.region()).failOverTo());
        Region home = rules.region(decision.region());
        trace.step("home region " + decision.region() + ": endpoints " + home.endpoints()
                + (home.failOverTo().isEmpty()
                        ? "; never fails over (fail_over_to is empty): 503 when it has no healthy endpoint"
                        : "; fails over to " + home.failOverTo() + " in that order, else 503"));
        return new Explanation(request, decision, country, geo.description(), trace.bucket, candidates, trace.steps);
    }

    /**
     * The decision for a sampled request, as {@link #decide} made it, from what a traffic sample
     * keeps instead of the request: the country lookup of its network, the {@link StableHash} of its
     * user id (0 for none) and its migration bucket (from the user id, else from the address). The
     * route is the default one: a region does not depend on the route. For comparing snapshots
     * (the reload canary, {@code homeport diff}), not for serving.
     */
    public Decision decideSample(CountryLookup lookup, long userHash, int bucket) {
        return decideSample(lookup, userHash != 0 ? pinOfHash(userHash) : null, bucket);
    }

    /** The region the user whose id has {@link StableHash} {@code userHash} is pinned to, or null. */
    public String pinOfHash(long userHash) {
        return pins == null ? null : pins.regionOfHash(userHash);
    }

    /**
     * {@link #decideSample(CountryLookup, long, int)} when the caller knows the user's pin itself
     * ({@code pinnedRegion}, null for none): {@code homeport diff} finds pins by the keyed hash an
     * exported sample carries.
     */
    public Decision decideSample(CountryLookup lookup, String pinnedRegion, int bucket) {
        String country = lookup.country();
        if (pinnedRegion != null) {
            return decisions.get(Route.DEFAULT, pinnedRegion, Reason.PIN, country, null);
        }
        if (lookup.outcome() == CountryLookup.Outcome.FAILED) {
            return rules.residency().onLookupError() == Residency.OnLookupError.REJECT
                    ? lookupErrorRejections[lookupErrorRejections.length - 1]
                    : decisions.get(Route.DEFAULT, rules.residency().defaultRegion(), Reason.LOOKUP_ERROR, null, null);
        }
        if (country != null) {
            Migration migration = rules.residency().migrationFor(country).orElse(null);
            if (migration != null && MigrationBucket.isMoved(bucket, migration)) {
                return decisions.get(Route.DEFAULT, migration.to(), Reason.MIGRATION, country, migration.name());
            }
            String region = rules.residency().countries().get(country);
            if (region != null) {
                return decisions.get(Route.DEFAULT, region, Reason.COUNTRY, country, null);
            }
        }
        return decisions.get(Route.DEFAULT, rules.residency().defaultRegion(), Reason.DEFAULT, country, null);
    }

    private CountryLookup lookUpCountry(RoutingRequest request) {
        if (IpAddresses.isNonPublic(request.clientAddress())) {
            return CountryLookup.NON_PUBLIC;
        }
        return geo.lookup(request.clientAddress());
    }

    private Decision decide(RoutingRequest request, CountryLookup lookup, Trace trace) {
        if (!trace.enabled) {
            return decideFast(request.clientAddress(), 0, 0, 0, false, request.userId(), request.host(), request.path(), lookup);
        }
        return decide(request.clientAddress(), 0, request.userId(), request.host(), request.path(), lookup, trace);
    }

    /**
     * The decision without explaining it: the same steps as {@link #decide(InetAddress, int,
     * CharSequence, String, String, CountryLookup, Trace)}, with the country's policy read from
     * {@link CountryPlans} and the decision from the table by index, so no set, map or string
     * comparison runs. A country without an index (not two letters A-Z) takes the general path.
     */
    private Decision decideFast(InetAddress address, int ipv4, long ipv6High, long ipv6Low, boolean ipv6,
            CharSequence userId, String host, String path, CountryLookup lookup) {
        // What does not depend on the country first: the CPU works on it while the read that gave
        // the country (a GeoIP cache or memo line, often a miss of the CPU's caches) is on its way,
        // instead of after it (benchmarks/BUDGET.md). One hash of the user id serves both the pin
        // and the migration bucket.
        int route = routeMatcher.indexFor(host, path);
        long userHash;
        int pinned = -1;
        if (userId == null || !hashesUserIds) {
            userHash = 0;
        } else if (external == null) {
            userHash = StableHash.of(userId);
            pinned = pins != null ? pins.regionIndexOf(userId, userHash) : -1;
        } else {
            // Pins found by a 96-bit fingerprint: both of its hashes from one pass over the id.
            StableHash.Fingerprint fingerprint = StableHash.fingerprint(userId);
            userHash = fingerprint.stableHash();
            String pin = external.pinOf(userId, userHash, fingerprint.second());
            if (pin != null) {
                // An unavailable pin, or one naming no region of these rules, is rare: the explained path
                // decides it (strict or not). A pin to one of the rules' regions is looked up by index below.
                pinned = pin == ExternalPins.UNAVAILABLE ? -1 : decisions.regionIndex(pin);
                if (pinned < 0) {
                    return decide(ipv6 ? IpAddresses.ipv6(ipv6High, ipv6Low) : address, ipv4, userId, host, path, lookup,
                            Trace.NONE);
                }
            }
        }

        String country = lookup.country();
        int countryIndex = lookup.countryIndex();
        if (countryIndex < 0 || !plans.indexable(countryIndex) || lookup.outcome() == CountryLookup.Outcome.FAILED) {
            return decide(ipv6 ? IpAddresses.ipv6(ipv6High, ipv6Low) : address, ipv4, userId, host, path, lookup, Trace.NONE);
        }
        if (pinned >= 0) {
            int region = external != null ? pinned : pinRegions[pinned];
            return region >= 0
                    ? decisions.get(route, region, Reason.PIN, countryIndex, country, null)
                    : decide(ipv6 ? IpAddresses.ipv6(ipv6High, ipv6Low) : address, ipv4, userId, host, path, lookup,
                            Trace.NONE);
        }
        int basisPoints = plans.basisPoints(countryIndex);
        if (basisPoints > 0) { // a migration at 0 basis points moves no bucket
            int bucket = userId != null ? MigrationBucket.ofHash(userHash)
                    : ipv6 ? MigrationBucket.ofIpv6(ipv6High, ipv6Low)
                    : address != null ? MigrationBucket.of(address) : MigrationBucket.ofIpv4(ipv4);
            if (bucket < basisPoints) {
                return decisions.get(route, plans.migrationRegion(countryIndex), Reason.MIGRATION, countryIndex, country,
                        plans.migration(countryIndex).name());
            }
        }
        return decisions.get(route, plans.policyRegion(countryIndex), plans.policyReason(countryIndex), countryIndex,
                country, null);
    }

    /**
     * The step-by-step implementation, which explanations trace: {@code address} null means an IPv4
     * client given by {@code ipv4}. {@link #decideFast} must decide as this does.
     */
    private Decision decide(InetAddress address, int ipv4, CharSequence userId, String host, String path,
            CountryLookup lookup, Trace trace) {
        Route route = rules.routeFor(host, path);
        String country = lookup.country();
        if (trace.enabled) {
            trace.step("route " + route.name() + " (host " + (host == null ? "-" : host)
                    + ", path " + (path == null ? "/" : path) + ")");
            trace.step(describeLookup(lookup));
        }

        // One hash of the user id serves both the pin lookup and the migration bucket.
        StableHash.Fingerprint fingerprint = userId != null ? StableHash.fingerprint(userId) : null;
        long userHash = fingerprint != null ? fingerprint.stableHash() : 0;
        boolean pinUnavailable = false;
        if (userId != null && rules.residency().users().isPresent()) {
            UserPins pins = rules.residency().users().get();
            String pinned = external != null ? external.pinOf(userId, userHash, fingerprint.second())
                    : pins.table().regionOf(userId, userHash);
            String origin = trace.enabled && external != null ? external.origin(userId) : null;
            String from = pins.describe() + (origin == null ? "" : " (" + origin + ")");
            if (pinned == ExternalPins.UNAVAILABLE || pinned != null && !decisions.hasRegion(pinned)) {
                // Unreadable, or naming a region these rules do not have: not a pin to follow.
                pinUnavailable = true;
                if (trace.enabled) {
                    trace.step("the pin of user " + userId + " in " + from + " is unavailable"
                            + (pinned == ExternalPins.UNAVAILABLE ? "" : " (it names \"" + pinned + "\", not a region of these rules)"));
                }
                if (country != null && pins.strictCountries().contains(country) || pins.strictRoutes().contains(route.name())) {
                    if (trace.enabled) {
                        trace.step((country != null && pins.strictCountries().contains(country) ? "country " + country
                                : "route " + route.name()) + " is strict (residency.users.strict): 503, no region is guessed");
                    }
                    return pinUnavailableRejections[routeMatcher.indexFor(host, path)];
                }
            } else {
                if (trace.enabled) {
                    trace.step("user " + userId + (pinned == null
                            ? " has no pin in " + from
                            : " is pinned to " + pinned + " in " + from));
                }
                if (pinned != null) {
                    return decisions.get(route, pinned, Reason.PIN, country, null);
                }
            }
        }
        if (pinUnavailable) {
            Decision unpinned = decideUnpinned(address, ipv4, userId, userHash, route, country, host, path, lookup, trace);
            return unpinned.refused() ? unpinned
                    : decisions.get(route, unpinned.region(), Reason.PIN_UNAVAILABLE, country, unpinned.migration());
        }
        return decideUnpinned(address, ipv4, userId, userHash, route, country, host, path, lookup, trace);
    }

    /** The decision's steps after the pin: lookup error, migration, country, default. */
    private Decision decideUnpinned(InetAddress address, int ipv4, CharSequence userId, long userHash, Route route, String country,
            String host, String path, CountryLookup lookup, Trace trace) {

        if (lookup.outcome() == CountryLookup.Outcome.FAILED) {
            // Neither country nor migration can be known: never guess a region the rules did not choose.
            if (rules.residency().onLookupError() == Residency.OnLookupError.REJECT) {
                if (trace.enabled) {
                    trace.step("residency.on_lookup_error is reject: 503, no region is guessed");
                }
                return lookupErrorRejections[routeMatcher.indexFor(host, path)];
            }
            String fallback = rules.residency().defaultRegion();
            if (trace.enabled) {
                trace.step("residency.on_lookup_error is default_region: default_region " + fallback);
            }
            return decisions.get(route, fallback, Reason.LOOKUP_ERROR, null, null);
        }

        if (country != null) {
            for (Migration migration : migrations) {
                if (migration.countries().contains(country)) {
                    int bucket = userId != null ? MigrationBucket.ofHash(userHash)
                            : address != null ? MigrationBucket.of(address) : MigrationBucket.ofIpv4(ipv4);
                    boolean moved = MigrationBucket.isMoved(bucket, migration);
                    if (trace.enabled) {
                        trace.bucket = bucket;
                        trace.step("migration " + migration.name() + (migration.state().movesUsers()
                                ? " moves buckets below " + migration.basisPoints() + " (" + migration.percent() + "%) of "
                                        + country + " to " + migration.to()
                                : " is " + migration.state().key() + ": nobody of " + country + " moves to " + migration.to()
                                        + " (only cut_over and locked move the buckets under its percent)")
                                + "; this request's bucket is " + bucket + " (from the "
                                + (userId != null ? "user id" : "client address") + "): "
                                + (moved ? "moved" : "not moved"));
                    }
                    if (moved) {
                        return decisions.get(route, migration.to(), Reason.MIGRATION, country, migration.name());
                    }
                    break;
                }
            }
            String region = rules.residency().countries().get(country);
            if (region != null) {
                if (trace.enabled) {
                    trace.step("country " + country + " maps to " + region);
                }
                return decisions.get(route, region, Reason.COUNTRY, country, null);
            }
            if (trace.enabled) {
                trace.step("country " + country + " has no mapping in residency.countries");
            }
        }
        String fallback = rules.residency().defaultRegion();
        if (trace.enabled) {
            trace.step("default_region " + fallback);
        }
        return decisions.get(route, fallback, Reason.DEFAULT, country, null);
    }

    private String describeLookup(CountryLookup lookup) {
        String network = lookup.network() == null ? "" : " (network " + lookup.network() + ")";
        switch (lookup.outcome()) {
            case FOUND:
                return "country " + lookup.country() + " from " + geo.description() + network;
            case NO_COUNTRY:
                return "no country: the database record has no country" + network;
            case NOT_FOUND:
                return "no country: the address is not in " + geo.description();
            case NON_PUBLIC:
                return "no country: private, loopback or reserved address (not looked up)";
            default:
                return "no country: the GeoIP lookup failed";
        }
    }

    /** Records steps only when explaining; the hot path passes {@link #NONE} and builds no strings. */
    private static final class Trace {
        static final Trace NONE = new Trace(false);

        final boolean enabled;
        final List<String> steps = new ArrayList<>();
        int bucket = -1;

        Trace() {
            this(true);
        }

        private Trace(boolean enabled) {
            this.enabled = enabled;
        }

        void step(String line) {
            steps.add(line);
        }
    }
}
