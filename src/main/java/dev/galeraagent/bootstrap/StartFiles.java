package dev.galeraagent.bootstrap;

import dev.galeraagent.errors.AgentException;
import dev.galeraagent.errors.ExitCode;
import dev.galeraagent.files.UnsafeFileException;
import dev.galeraagent.files.WritePlan;
import dev.galeraagent.galera.DataDirState;
import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.galera.GrastateFile;
import dev.galeraagent.position.Position;
import dev.galeraagent.handoff.HandOff;
import dev.galeraagent.handoff.HandOffLease;
import dev.galeraagent.log.Log;
import dev.galeraagent.status.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What a final decision leaves for mariadbd and the sidecar: galera.cnf, the one-shot settings, the hand-off and, for a
 * bootstrap from here, {@code safe_to_bootstrap: 1} in grastate.dat. Apart from the loop, so that the loop reads as the
 * election and this as the one place the bootstrap writes.
 */
final class StartFiles {
    private static final Log LOG = Log.of("bootstrap");

    private final BootstrapSettings s;
    private final Clock clock;

    StartFiles(BootstrapSettings settings, Clock clock) {
        this.s = settings;
        this.clock = clock;
    }

    /** The hand-off document for a plan that bootstraps, stamped now. */
    HandOff handOff(Plan plan) {
        Position position = plan instanceof Plan.BootstrapFromHere b ? b.position() : null;
        return new HandOff(plan.name(), s.identity().podName(), s.identity().ordinal(), position,
                s.oneShotDir().resolve(GaleraConfig.OneShot.FILE_NAME).toString(), plan.reasons(), clock.instant().toString(), Version.get(), s.replicas());
    }

    /**
     * Writes in an order where a crash at any point leaves no bootstrap without its hand-off, and checks every target
     * first (no link, no FIFO, a directory that is what it claims): a refused run writes nothing.
     */
    void write(DataDirState dir, GaleraConfig config, Plan plan, LeaseGrant grant) {
        Path once = s.oneShotDir().resolve(GaleraConfig.OneShot.FILE_NAME);
        Path request = s.configDir().resolve(HandOff.REQUEST);
        Path grastate = s.datadir().resolve(GrastateFile.FILE_NAME);
        try {
            // the config volume's mount point in a pod; a directory of a person's choice by hand
            if (!Files.exists(s.configDir(), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(s.configDir());
            }
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot create the config directory " + s.configDir() + ": " + e.getMessage(), e);
        }
        // leftovers of an earlier pod start must never apply to this one
        WritePlan w = new WritePlan().directory(s.configDir(), s.oneShotDir()).delete(s.configDir(), once).delete(s.configDir(), request);
        Optional<GrastateFile> mark = BootstrapPolicy.grastateFor(plan, dir);
        boolean newGrastate = mark.isPresent() && !Files.exists(grastate, LinkOption.NOFOLLOW_LINKS);
        // Galera refuses wsrep_new_cluster from a node not marked safe (RuntimeBootstrapIT); mysqld must still own the file
        mark.ifPresent(g -> {
            if (newGrastate) {
                w.write(s.datadir(), grastate, g.render(), "rw-rw----");
            } else {
                w.replaceKeepingOwner(s.datadir(), grastate, g.render());
            }
        });
        if (BootstrapPolicy.bootstraps(plan)) {
            Optional<HandOffLease> lease = grant instanceof LeaseGrant.Held h ? Optional.of(h.lease()) : Optional.empty();
            w.write(s.configDir(), request, handOff(plan).toJson(lease) + "\n", "rw-r--r--");
        }
        GaleraConfig.OneShot oneShot = BootstrapPolicy.oneShot(plan);
        if (!oneShot.isEmpty()) {
            w.write(s.configDir(), once, oneShot.render(), "rw-r--r--");
        }
        w.write(s.configDir(), s.configFile(), config.render(), "rw-r--r--");
        try {
            w.apply();
            if (newGrastate) {
                Files.setOwner(grastate, Files.getOwner(s.datadir(), LinkOption.NOFOLLOW_LINKS));
            }
        } catch (UnsafeFileException e) {
            throw new AgentException(ExitCode.IO, e.getMessage() + "; nothing was written", e);
        } catch (IOException e) {
            throw new AgentException(ExitCode.IO, "cannot write the Galera config into " + s.configDir() + ": " + e.getMessage(), e);
        }
        mark.ifPresent(g -> LOG.info("set safe_to_bootstrap: 1 in " + grastate + " (" + g.position() + ")"));
        LOG.info("wrote " + s.configFile() + (oneShot.isEmpty() ? "" : " and " + once) + (BootstrapPolicy.bootstraps(plan) ? " and " + request : ""));
    }
}
