package io.homeport.cli;

import io.homeport.loadtest.LoadTestCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code homeport}: the command line. Each subcommand is a class of its own. */
@Command(
        name = "homeport",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A residency-aware edge gateway: routes every request to its user's home region.",
        subcommands = {DemoCommand.class, RunCommand.class, ValidateCommand.class, ExplainCommand.class, DiffCommand.class,
                LoadTestCommand.class, GeoDnsCommand.class, WorldCommand.class,
                PinsCommand.class, MigrateCommand.class})
public final class HomeportCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final String LEAK_SAMPLING_PROPERTY = "io.netty.leakDetection.samplingInterval";

    public static void main(String[] args) {
        // Leak detection stays on, but samples 1 buffer in 4,096 rather than Netty's 128: at the
        // default rate the stack traces it takes were ~2% of the proxy's CPU. -D overrides it.
        if (System.getProperty(LEAK_SAMPLING_PROPERTY) == null) {
            System.setProperty(LEAK_SAMPLING_PROPERTY, "4096");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new HomeportCommand());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
