package io.homeport.cli;

import io.homeport.metrics.BuildInfo;
import picocli.CommandLine;

/** {@code --version} of every command: the build's version and revision. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"homeport " + BuildInfo.version() + " (" + BuildInfo.revision() + ")"};
    }
}
