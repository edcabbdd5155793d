package io.homeport.cli;

import io.homeport.config.GatewayConfig;
import io.homeport.config.GatewayConfigLoader;
import io.homeport.directory.PinDirectory;
import io.homeport.directory.PinStore;
import io.homeport.explain.ExplanationJson;
import io.homeport.geoip.GeoIpDatabase;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.net.Cidr;
import io.homeport.proxy.ClientAddressResolver;
import io.homeport.proxy.ClientIp;
import io.homeport.routing.Explanation;
import io.homeport.routing.ExternalPins;
import io.homeport.routing.IpAddresses;
import io.homeport.routing.RoutingRequest;
import io.homeport.routing.RoutingSnapshot;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.RoutingRules;
import io.homeport.rules.RulesLoader;
import io.homeport.rules.UserPins;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code homeport explain}: the decision for one request and every step of its reasoning. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        header = "Prints where a request goes and why; starts no server.",
        description = {
            "Prints where a request goes and why: client address, country and the database that said so,",
            "user pin or migration bucket, route, home region and its fail-over order. Starts no server.",
            "Exit codes: 0, 1 on bad input."
        })
final class ExplainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--config", paramLabel = "gateway.yaml", description = "Take the rules and GeoIP database from a deployment file.")
        Path config;

        @ArgGroup(exclusive = false)
        RulesAndDatabase files;
    }

    static final class RulesAndDatabase {
        @Option(names = "--rules", paramLabel = "FILE", required = true, description = "A rules file.")
        Path rules;

        @Option(names = "--geoip", paramLabel = "DB", description = "A GeoIP database (default: the bundled demo database).")
        Path geoip;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Client client;

    /** The client address as it is, or as the gateway would resolve it from a peer and its headers. */
    static final class Client {
        @Option(names = "--ip", required = true, paramLabel = "IP", description = "The client address (IPv4 or IPv6).")
        String ip;

        @ArgGroup(exclusive = false)
        Hops hops;
    }

    static final class Hops {
        @Option(names = "--peer", required = true, paramLabel = "IP",
                description = "The address the request came from: a proxy, or the client itself.")
        String peer;

        @Option(names = "--x-forwarded-for", paramLabel = "LIST", description = "The request's X-Forwarded-For.")
        String xForwardedFor;

        @Option(names = "--forwarded", paramLabel = "VALUE", description = "The request's Forwarded.")
        String forwarded;

        @Option(names = "--trusted-proxies", split = ",", paramLabel = "CIDR",
                description = "The peers whose headers are believed (default: --config's client_ip.trusted_proxies, else none).")
        List<String> trustedProxies;
    }

    @Option(names = "--user", paramLabel = "ID", description = "The user id, as the identity header would carry it.")
    String user;

    @Option(names = "--host", paramLabel = "H", description = "The request host.")
    String host;

    @Option(names = "--path", paramLabel = "P", description = "The request path.")
    String path;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Where the user's pin is read when the rules keep pins in Redis (default: --config's directory.redis.uris).")
    String redis;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String given = client.ip != null ? client.ip : client.hops.peer;
        Optional<InetAddress> address = IpAddresses.parseLiteral(given);
        if (address.isEmpty()) {
            err.println("homeport explain: " + (client.ip != null ? "--ip " : "--peer ") + given + " is not an IPv4 or IPv6 address");
            err.flush();
            return 1;
        }
        List<Cidr> trusted = new ArrayList<>();
        if (client.hops != null && client.hops.trustedProxies != null) {
            for (String block : client.hops.trustedProxies) {
                Optional<Cidr> cidr = Cidr.parse(block.trim());
                if (cidr.isEmpty()) {
                    err.println("homeport explain: --trusted-proxies " + block + " is not an address block (such as 10.0.0.0/8)");
                    err.flush();
                    return 1;
                }
                trusted.add(cidr.get());
            }
        }
        Path rulesFile;
        Path databaseFile;
        String pinStore = redis;
        try {
            if (source.config != null) {
                GatewayConfig config = GatewayConfigLoader.load(source.config);
                rulesFile = config.rules();
                databaseFile = config.geoip().database();
                if (pinStore == null) {
                    pinStore = config.directory().redis().map(settings -> settings.uris().get(0)).orElse(null);
                }
                if (client.hops != null && client.hops.trustedProxies == null) {
                    trusted.addAll(config.clientIp().trustedProxies());
                }
            } else {
                rulesFile = source.files.rules;
                databaseFile = source.files.geoip;
                if (databaseFile == null) {
                    err.println("note: no --geoip given; using the bundled demo GeoIP database");
                }
            }
            RoutingRules rules = new RulesLoader().load(rulesFile);
            try (GeoIpDatabase database = GeoIpOption.open(databaseFile)) {
                InetAddress clientAddress = address.get();
                ClientIp clientIp = null;
                if (client.hops != null) {
                    ClientAddressResolver.Resolved resolved = new ClientAddressResolver(trusted)
                            .resolve(address.get(), ClientIp.SOCKET, client.hops.xForwardedFor, client.hops.forwarded);
                    clientAddress = resolved.address();
                    clientIp = resolved.source();
                }
                ExternalPins pins = redisPin(rules, pinStore);
                Explanation explanation = new RoutingSnapshot(rules, database, pins)
                        .explain(new RoutingRequest(clientAddress, user, host, path));
                out.println(json ? ExplanationJson.toJson(explanation, clientIp) : ExplanationText.render(explanation, clientIp));
            }
        } catch (InvalidRulesException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (PinStoreException e) {
            err.println("homeport explain: " + e.getMessage());
            err.flush();
            return 1;
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport explain: GeoIP database refused: " + e.getMessage());
            err.flush();
            return 1;
        }
        out.flush();
        err.flush();
        return 0;
    }

    /**
     * The user's pin when the rules keep pins in Redis: read from {@code uri} now, as a gateway
     * whose near-cache does not hold the user would read it; unavailable when no store was given.
     */
    private ExternalPins redisPin(RoutingRules rules, String uri) throws PinStoreException {
        boolean inRedis = rules.residency().users().map(users -> users.source() == UserPins.Source.REDIS).orElse(false);
        if (!inRedis || user == null) {
            return null;
        }
        if (uri == null) {
            return answering(ExternalPins.UNAVAILABLE, "not read: give --redis URI, or --config with directory.redis");
        }
        String region;
        try (PinStore store = PinStore.connect(uri, Duration.ofSeconds(2))) {
            region = store.get(user);
        } catch (RuntimeException e) {
            throw new PinStoreException("cannot read the pin of " + user + " from Redis at " + uri + ": " + e.getMessage());
        }
        return answering(region, "read from Redis at " + uri + " just now, key " + PinDirectory.KEY_PREFIX + user);
    }

    private static ExternalPins answering(String region, String origin) {
        return new ExternalPins() {
            @Override
            public String pinOf(CharSequence userId) {
                return region;
            }

            @Override
            public String origin(CharSequence userId) {
                return origin;
            }
        };
    }

    private static final class PinStoreException extends Exception {
        PinStoreException(String message) {
            super(message);
        }
    }
}
