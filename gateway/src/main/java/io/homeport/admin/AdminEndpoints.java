package io.homeport.admin;

import io.homeport.canary.SampleFile;
import io.homeport.canary.TrafficSample;
import io.homeport.explain.ExplanationJson;
import io.homeport.geoip.CachingGeoLookup;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.metrics.GatewayMetrics;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ClientIp;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.ReloadResult;
import io.homeport.reload.ServingConfig;
import io.homeport.reload.SnapshotHolder;
import io.homeport.routing.IpAddresses;
import io.homeport.residency.ResidencyTable;
import io.homeport.routing.RoutingRequest;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.UserPins;
import java.net.InetAddress;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What each admin endpoint answers (SPEC §5), without any HTTP plumbing. Everything but {@link
 * #reload} is cheap enough for the admin event loop: an explanation is one cached GeoIP lookup.
 */
final class AdminEndpoints {

    private final SnapshotHolder holder;
    private final GatewayMetrics metrics;
    private final ConfigReloader reloader;
    private final TrafficSample trafficSample;
    private final ClientAddressResolver clientAddresses;
    private final Readiness readiness;

    AdminEndpoints(SnapshotHolder holder, GatewayMetrics metrics, ConfigReloader reloader, Readiness readiness,
            TrafficSample trafficSample, ClientAddressResolver clientAddresses) {
        this(holder, metrics, reloader, readiness, trafficSample, clientAddresses, io.homeport.proxy.PinPrefetch.NONE);
    }

    /** With {@code pins} fetching a user's pin from the store before {@code /explain} explains it. */
    AdminEndpoints(SnapshotHolder holder, GatewayMetrics metrics, ConfigReloader reloader, Readiness readiness,
            TrafficSample trafficSample, ClientAddressResolver clientAddresses, io.homeport.proxy.PinPrefetch pins) {
        this.pins = pins;
        this.trafficSample = trafficSample;
        this.clientAddresses = clientAddresses;
        this.holder = holder;
        this.metrics = metrics;
        this.reloader = reloader;
        this.readiness = readiness;
    }

    private final io.homeport.proxy.PinPrefetch pins;

    AdminResponse healthz() {
        return AdminResponse.json(200, Map.of("status", "ok"));
    }

    AdminResponse readyz() {
        String state = readiness.state().name().toLowerCase(Locale.ROOT);
        return AdminResponse.json(readiness.isReady() ? 200 : 503, Map.of("status", state));
    }

    AdminResponse metrics() {
        return new AdminResponse(200, AdminResponse.PROMETHEUS_TEXT, metrics.scrape(), Map.of());
    }

    /**
     * {@code ip}, or {@code peer} with the request's {@code xff} and {@code forwarded} (resolved as
     * the proxy resolves them, with the global trusted proxies), is required; {@code user},
     * {@code host} and {@code path} are optional.
     */
    CompletableFuture<AdminResponse> explain(Map<String, List<String>> query) {
        Optional<String> ip = first(query, "ip");
        Optional<String> peer = first(query, "peer");
        if (ip.isEmpty() == peer.isEmpty()) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "give ip or peer (expected: /explain?ip=ADDRESS or"
                    + " /explain?peer=ADDRESS[&xff=LIST][&forwarded=VALUE], then [&user=ID][&host=HOST][&path=PATH])"));
        }
        String given = ip.orElseGet(peer::get);
        Optional<InetAddress> address = IpAddresses.parseLiteral(given);
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, (ip.isPresent() ? "ip" : "peer") + ": \""
                    + given + "\" (expected: an IPv4 or IPv6 address)"));
        }
        InetAddress client = address.get();
        ClientIp clientIp = null;
        if (peer.isPresent()) {
            ClientAddressResolver.Resolved resolved = clientAddresses.resolve(client, ClientIp.SOCKET,
                    first(query, "xff").orElse(null), first(query, "forwarded").orElse(null));
            client = resolved.address();
            clientIp = resolved.source();
        }
        RoutingRequest request = new RoutingRequest(client,
                first(query, "user").orElse(null), first(query, "host").orElse(null), first(query, "path").orElse(null));
        ClientIp source = clientIp;
        // A pin in Redis the near-cache does not hold is fetched first, as for a request, so the
        // explanation shows the pin a request would get (and where it came from).
        java.util.concurrent.CompletionStage<?> fetched = request.userId() == null ? null
                : pins.before(holder.current().snapshot().rules(), request.userId(), null);
        if (fetched == null) {
            return CompletableFuture.completedFuture(
                    AdminResponse.rawJson(200, ExplanationJson.toJson(holder.current().snapshot().explain(request), source)));
        }
        return fetched.toCompletableFuture().handle((ignored, failure) ->
                AdminResponse.rawJson(200, ExplanationJson.toJson(holder.current().snapshot().explain(request), source)));
    }

    /**
     * The recent traffic sample as {@link SampleFile} text, for {@code homeport diff --sample}.
     * Copies a few hundred thousand slots: cheap enough for the admin event loop, not for a hot loop.
     */
    AdminResponse trafficSample() {
        ResidencyTable pins = holder.current().snapshot().rules().residency().users().map(UserPins::table).orElse(null);
        return new AdminResponse(200, AdminResponse.TAB_SEPARATED, SampleFile.write(trafficSample.entries(), pins), Map.of());
    }

    /** Runs on the reloader's thread; the future completes there. {@code force} applies past the canary. */
    CompletableFuture<AdminResponse> reload(boolean force) {
        return reloader.reloadAsync(force ? "admin, forced" : "admin", force)
                .thenApply((ReloadResult result) -> AdminResponse.rawJson(result.success() ? 200 : 422, result.toJson()));
    }

    AdminResponse config() {
        ServingConfig config = holder.current();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rules", rulesJson(config.snapshot().rules()));
        json.put("geoip", geoipJson(config));
        return AdminResponse.json(200, json);
    }

    private static Map<String, Object> rulesJson(RoutingRules rules) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", rules.source().file().toString());
        json.put("sha256", rules.source().sha256());
        json.put("loaded_at", rules.source().loadedAt().toString());
        json.put("regions", List.copyOf(rules.regions().keySet()));
        json.put("users_file", rules.residency().users().map(UserPins::file).map(Object::toString).orElse(null));
        json.put("tests", rules.tests().size());
        return json;
    }

    private Map<String, Object> geoipJson(ServingConfig config) {
        GeoIpDatabase database = config.database();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", database.file().toString());
        json.put("type", database.databaseType());
        json.put("kind", database.kind().name().toLowerCase(Locale.ROOT));
        json.put("build_date", LocalDate.ofInstant(database.buildTime(), ZoneOffset.UTC).toString());
        json.put("build_time", database.buildTime().toString());
        Map<String, Object> cache = new LinkedHashMap<>();
        CachingGeoLookup.Statistics statistics = config.geo().statistics();
        cache.put("max_entries", statistics.maxEntries());
        cache.put("entries", statistics.entries());
        cache.put("hits", statistics.hits());
        cache.put("misses", statistics.misses());
        json.put("cache", cache);
        return json;
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(values.get(0));
    }
}
