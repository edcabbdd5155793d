package io.homeport.cli;

import io.homeport.accesslog.UserHashKey;
import io.homeport.config.GatewayConfig;
import io.homeport.config.GatewayConfigLoader;
import io.homeport.geoip.InvalidGeoIpDatabaseException;
import io.homeport.netty.Listeners;
import io.homeport.rules.InvalidRulesException;
import io.homeport.server.Homeport;
import io.homeport.tls.InvalidCertificateException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code homeport run --config gateway.yaml}: production mode. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        header = "Runs the gateway as configured in a deployment file (gateway.yaml).",
        description = {
            "Runs the gateway as configured in a deployment file (gateway.yaml).",
            "SIGHUP reloads the rules and GeoIP database; SIGTERM drains and stops.",
            "Exit codes: 0 clean shutdown, 1 configuration error at start (printed as file:line:col: message)."
        })
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "gateway.yaml", description = "The deployment file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Homeport homeport;
        Shutdown shutdown;
        try {
            GatewayConfig gateway = GatewayConfigLoader.load(config);
            OperationalLog.use(gateway.logFormat());
            if (gateway.audit().userHashKeyFile().isEmpty()) {
                err.println(config + ": audit.user_hash_key_file is required: the key of the user-id hash in the access"
                        + " log (the same file on every gateway, so logs join across the fleet; make one with"
                        + " head -c 32 /dev/urandom > user-hash.key). Only the demo runs without one.");
                err.flush();
                return 1;
            }
            UserHashKey userHashKey;
            try {
                userHashKey = UserHashKey.read(gateway.audit().userHashKeyFile().get());
            } catch (IOException e) {
                err.println(config + ": audit.user_hash_key_file refused: " + e.getMessage());
                err.flush();
                return 1;
            }
            // The signals are taken before the gateway serves: a SIGTERM right after the start still drains.
            shutdown = new Shutdown();
            homeport = Homeport.start(Homeport.Options.from(gateway, userHashKey));
        } catch (InvalidRulesException e) {
            e.problems().forEach(err::println);
            err.flush();
            return 1;
        } catch (InvalidGeoIpDatabaseException e) {
            err.println(config + ": geoip.database refused: " + e.getMessage());
            err.flush();
            return 1;
        } catch (InvalidCertificateException e) {
            err.println(config + ": TLS certificate refused: " + e.getMessage());
            err.flush();
            return 1;
        } catch (Listeners.BindFailedException | Homeport.DirectoryUnavailableException e) {
            err.println(config + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        shutdown.await();
        homeport.close();
        return 0;
    }
}
