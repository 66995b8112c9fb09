package dev.galeraagent.cli;

import picocli.CommandLine;

/** Gives tests in other packages the full `agent` command tree, exactly as {@code main} builds it. */
public final class AgentCommandTree {
    private AgentCommandTree() {
    }

    public static CommandLine newCommandLine() {
        return AgentCommand.newCommandLine();
    }
}
