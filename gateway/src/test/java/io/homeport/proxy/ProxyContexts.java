package io.homeport.proxy;

import io.homeport.metrics.GatewayMetrics;
import io.homeport.netty.Transports;
import io.homeport.reload.ConfigReloader;
import io.homeport.reload.SnapshotHolder;
import io.homeport.upstream.HealthSettings;
import io.homeport.upstream.RegionSelector;
import io.homeport.upstream.RetryBudget;
import io.homeport.upstream.UpstreamConnections;
import io.homeport.upstream.UpstreamHealth;
import io.homeport.upstream.UpstreamTimeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A proxy context for handler tests: one region, {@code us}, at an endpoint nothing listens on; the fixture database. */
public final class ProxyContexts {

    private ProxyContexts() {}

    /** Writes the rules and the database into {@code directory} and loads them. */
    public static ProxyContext oneRegion(Path directory, GatewayMetrics metrics, ExchangeListener listener) throws Exception {
        Files.writeString(directory.resolve("rules.yaml"), """
                version: 1
                regions:
                  us: {endpoints: ["http://127.0.0.1:2"]}
                residency: {default_region: us}
                """);
        Files.copy(Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb"), directory.resolve("geoip.mmdb"));
        return new ProxyContext(
                new SnapshotHolder(ConfigReloader.load(directory.resolve("rules.yaml"), directory.resolve("geoip.mmdb"), 10)),
                new ClientAddressResolver(List.of()),
                new RegionSelector(new UpstreamHealth(HealthSettings.DEFAULTS)),
                new RetryBudget(0.2, 10),
                new UpstreamConnections(Transports.best(), UpstreamTimeouts.DEFAULTS),
                metrics,
                listener,
                new Drain());
    }
}
