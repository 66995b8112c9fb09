package dev.galeraagent.cli;

import picocli.CommandLine.Option;

/** Options every mode takes; mixed into each subcommand with {@code @Mixin}. */
public final class CommonOptions {
    @Option(
            names = "--verbose",
            defaultValue = "${env:AGENT_VERBOSE:-false}",
            description = "Print stack traces with errors, and debug logs. (env: AGENT_VERBOSE)")
    public boolean verbose;
}
