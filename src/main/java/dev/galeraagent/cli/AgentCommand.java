package dev.galeraagent.cli;

import dev.galeraagent.status.Version;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.errors.AgentException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The `agent` command: entry point of every mode, with exit codes and one-line errors. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.VersionProvider.class,
        description = {
            "Runs MariaDB Galera in a Kubernetes StatefulSet without an operator.",
            "Every option has an environment variable twin, shown as (env: NAME)."
        },
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            " 0:success (a probe: healthy)",
            " 1:a check failed (a probe: not healthy)",
            " 2:bad usage",
            " 3:bootstrap refused: going on could lose data",
            " 4:timed out waiting",
            " 5:environment failure (binary, DNS, Kubernetes API)",
            " 6:file I/O failure",
            "70:internal error (a bug; rerun with --verbose)"
        })
public final class AgentCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    CommonOptions common;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a mode: choose one of " + spec.subcommands().keySet());
    }

    /** Entry point; never returns normally. */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; used by main and by tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cl = newCommandLine(args.length > 0 ? args[0] : null);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println("agent: " + ex.getMessage());
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof AgentException ae) {
                err.println("agent: " + ae.getMessage());
                if (verbose) {
                    ae.printStackTrace(err);
                }
                return ae.exitCode().code();
            }
            err.println("agent: internal error: " + ex);
            if (verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("Rerun with --verbose for the stack trace.");
            }
            return ExitCode.INTERNAL.code();
        });
        return cl.execute(args);
    }

    /** The full command tree; a subcommand registers itself here. */
    static CommandLine newCommandLine() {
        return newCommandLine(null);
    }

    /**
     * The command tree for one run. picocli builds a command's model by reflection, which is most of a
     * short-lived command's start-up; so when the first argument names a mode, only that mode is built.
     * Anything else ({@code --help}, {@code help}, no mode) gets the whole tree.
     */
    static CommandLine newCommandLine(String firstArg) {
        CommandLine cl = new CommandLine(new AgentCommand());
        cl.setUsageHelpWidth(100);
        Supplier<Object> only = MODES.get(firstArg);
        if (only != null) {
            cl.addSubcommand(only.get());
        } else {
            MODES.values().forEach(mode -> cl.addSubcommand(mode.get()));
        }
        return cl;
    }

    private static final Map<String, Supplier<Object>> MODES = modes();

    private static Map<String, Supplier<Object>> modes() {
        Map<String, Supplier<Object>> modes = new LinkedHashMap<>();
        modes.put("install", InstallCommand::new);
        modes.put("bootstrap", BootstrapCommand::new);
        modes.put("probe", ProbeCommand::new);
        modes.put("status", StatusCommand::new);
        modes.put("prepare-start", PrepareStartCommand::new);
        return modes;
    }

    /** Reports the version that Maven wrote into the build. */
    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"agent " + Version.get(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
