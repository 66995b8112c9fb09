package dev.galeraagent.cli;

import dev.galeraagent.status.Version;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.errors.AgentException;
import dev.galeraagent.install.Installer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code agent install}: copies the packaged agent into a shared directory, atomically and idempotently. */
@Command(
        name = "install",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.VersionProvider.class,
        description = {
            "Copies this agent into DIR, so that DIR/agent runs where there is no Java.",
            "Copies the launcher, jars, Java runtime and AOT caches, and checks them",
            "against the build's checksums. Atomic: an interrupted install leaves the",
            "previous one working. The same version again changes nothing; another",
            "version replaces it."
        })
final class InstallCommand implements Callable<Integer> {
    /** The system property the launcher sets to the packaged agent's directory. */
    static final String HOME_PROPERTY = "agent.home";

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(
            names = "--to",
            paramLabel = "DIR",
            defaultValue = "${env:AGENT_TO:-/work-dir}",
            description = "Directory to install into; must exist. Default: ${DEFAULT-VALUE}. (env: AGENT_TO)")
    Path to;

    @Option(
            names = "--dry-run",
            defaultValue = "${env:AGENT_DRY_RUN:-false}",
            description = "Print what would change and change nothing. (env: AGENT_DRY_RUN)")
    boolean dryRun;

    @Override
    public Integer call() {
        common.applyLogging();
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new AgentException(ExitCode.ENVIRONMENT, "install copies the packaged agent, but this agent was not started by its launcher"
                    + " (bin/agent sets -D" + HOME_PROPERTY + "); build it with './mvnw package' and run target/agent/bin/agent install");
        }
        PrintWriter out = spec.commandLine().getOut();
        Installer.Outcome outcome = new Installer(Path.of(home), Version.get()).install(to, dryRun);
        switch (outcome) {
            case Installer.Outcome.Installed i -> out.printf("installed agent %s into %s: %d files, %d bytes, %d ms%n",
                    i.version(), i.dir(), i.files(), i.bytes(), i.millis());
            case Installer.Outcome.UpToDate u -> out.printf("agent %s is already installed in %s: %s (%d ms)%n",
                    u.version(), u.dir(), u.removed().isEmpty() ? "nothing to do" : "removed " + u.removed().size() + " leftover(s)", u.millis());
            case Installer.Outcome.Planned p -> p.changes().forEach(out::println);
        }
        out.flush();
        return ExitCode.OK.code();
    }
}
