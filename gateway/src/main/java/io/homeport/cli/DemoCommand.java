package io.homeport.cli;

import io.homeport.config.GatewayConfig;
import io.homeport.demo.DemoBackend;
import io.homeport.demo.DemoFiles;
import io.homeport.demo.DemoGeoIp;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.net.Cidr;
import io.homeport.net.HostAndPort;
import io.homeport.netty.Listeners;
import io.homeport.netty.Transports;
import io.homeport.rules.Endpoint;
import io.homeport.rules.InvalidRulesException;
import io.homeport.rules.Region;
import io.homeport.server.Homeport;
import io.homeport.upstream.HealthSettings;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code homeport demo}: the whole gateway on loopback, with three demo regions behind it. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Runs the embedded demo: three demo regions behind the gateway.",
        description = {
            "Starts three demo backends (beijing, singapore, us) on loopback, the demo rules and a bundled",
            "demo GeoIP database, trusting X-Forwarded-For from loopback, and prints curl lines to try.",
            "Ctrl-C stops everything."
        })
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", description = "Proxy address (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9901", description = "Admin address (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--backend-ports", paramLabel = "FIRST", defaultValue = "" + DemoFiles.FIRST_BACKEND_PORT,
            description = "Port of the beijing demo backend on 127.0.0.1; singapore and us take the next two"
                    + " (default: ${DEFAULT-VALUE}). Another value runs the demo on a copy of its rules.")
    int firstBackendPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HostAndPort proxyAddress = HostAndPort.parse(listen).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "--listen " + listen + " (expected: host:port)"));
        HostAndPort adminAddress = HostAndPort.parse(admin).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "--admin " + admin + " (expected: host:port)"));

        if (firstBackendPort < 1 || firstBackendPort > 65533) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--backend-ports " + firstBackendPort + " (expected: 1..65533, the first of three ports)");
        }
        Path rules = DemoFiles.withBackendPorts(DemoFiles.rules(), firstBackendPort);
        Transports transports = Transports.best();
        EventLoopGroup backendLoop = transports.newGroup(1, "demo-backends");
        List<DemoBackend> backends = new ArrayList<>();
        Homeport homeport = null;
        Shutdown shutdown = new Shutdown(); // before anything serves: an early Ctrl-C still stops cleanly
        try {
            for (Region region : DemoFiles.regions(rules)) {
                Endpoint endpoint = region.endpoints().get(0);
                DemoBackend backend = new DemoBackend(region.name());
                backend.start(new InetSocketAddress(endpoint.host(), endpoint.port()), transports, backendLoop);
                backends.add(backend);
            }
            GatewayConfig config = GatewayConfig.of(rules, DemoGeoIp.file())
                    .withListeners(List.of(new GatewayConfig.Listener(proxyAddress, java.util.Optional.empty(), false)))
                    // The demo's admin API is for the person running it: no token.
                    .withAdmin(new GatewayConfig.Admin(adminAddress, java.util.Optional.empty()))
                    .withClientIp(new GatewayConfig.ClientIp(
                            List.of(Cidr.parse("127.0.0.0/8").orElseThrow(), Cidr.parse("::1").orElseThrow())))
                    .withHealth(new HealthSettings(java.util.Optional.of("/healthz"), Duration.ofSeconds(2),
                            Duration.ofSeconds(1), 2, 2, 3, Duration.ofSeconds(10)));
            homeport = Homeport.start(Homeport.Options.forDemo(config, Duration.ofSeconds(2), null));
            printWelcome(out, homeport, rules, firstBackendPort);
            shutdown.await();
            return 0;
        } catch (InvalidRulesException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (InvalidGeoIpDatabaseException e) {
            err.println("homeport demo: " + e.getMessage());
            err.flush();
            return 1;
        } catch (Listeners.BindFailedException e) {
            err.println("homeport demo: " + e.getMessage() + " (--listen, --admin and --backend-ports move the demo)");
            err.flush();
            return 1;
        } finally {
            if (homeport != null) {
                homeport.close();
            }
            backends.forEach(DemoBackend::stop);
            backendLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void printWelcome(PrintWriter out, Homeport homeport, Path rules, int firstBackendPort) {
        InetSocketAddress proxy = homeport.proxyAddresses().get(0);
        String base = "http://" + hostPort(proxy);
        String adminBase = "http://" + hostPort(homeport.adminAddress());
        out.println();
        out.println("Homeport demo is running.");
        out.println("  proxy  " + base + "   (trusts X-Forwarded-For from loopback)");
        out.println("  admin  " + adminBase);
        out.println("  rules  " + rules + "   (edit it: the gateway reloads it)");
        out.println("  regions: beijing, singapore and us demo backends on 127.0.0.1:" + firstBackendPort + "-" + (firstBackendPort + 2));
        out.println();
        out.println("Try:");
        out.println("  curl -H 'X-Forwarded-For: 1.2.4.8' " + base + "/          # China -> beijing");
        out.println("  curl -H 'X-Forwarded-For: 165.21.83.88' " + base + "/     # Singapore -> singapore");
        out.println("  curl -H 'X-Forwarded-For: 202.188.0.133' " + base + "/    # Malaysia -> singapore");
        out.println("  curl -H 'X-Forwarded-For: 202.54.1.30' " + base + "/      # India: a sticky 25% migrate to singapore");
        out.println("  curl -H 'X-Forwarded-For: 8.8.8.8' " + base + "/          # United States -> us");
        out.println("  curl -H 'X-Forwarded-For: 1.2.4.8' -H 'X-User-Id: u-1001' " + base + "/   # pinned to singapore");
        out.println("  curl '" + adminBase + "/explain?ip=202.54.1.30&user=in-user-4'");
        out.println("  curl " + adminBase + "/metrics | grep homeport_requests_total");
        out.println();
        out.println("Ctrl-C stops everything. Access log (JSON lines) follows.");
        out.flush();
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
