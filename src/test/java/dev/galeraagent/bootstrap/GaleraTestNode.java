package dev.galeraagent.bootstrap;

import dev.galeraagent.galera.GaleraConfig;
import dev.galeraagent.testing.LocalMariaDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Galera node for tests whose Galera settings come from the agent's own {@link GaleraConfig}
 * (galera.cnf plus the one-shot directory), on top of {@link LocalMariaDb}'s plain server config.
 */
final class GaleraTestNode implements AutoCloseable {
    final String address;
    final Path confDir;
    final LocalMariaDb db;

    private GaleraTestNode(String address, Path confDir, LocalMariaDb db) {
        this.address = address;
        this.confDir = confDir;
        this.db = db;
    }

    static GaleraTestNode create(Path dir, String name, String address, List<String> peers) throws IOException {
        Path confDir = dir.resolve("conf");
        Path onceDir = confDir.resolve("galera-once.d");
        Files.createDirectories(onceDir);
        GaleraConfig cfg = new GaleraConfig("rule10", name, address, address, peers, 4567, 4568, 4444,
                LocalMariaDb.GALERA.toString(), "rsync", "16M", 1, Optional.empty(), Optional.empty(), Optional.empty(), onceDir.toString());
        Files.writeString(confDir.resolve("galera.cnf"), cfg.render());
        LocalMariaDb db = LocalMariaDb.create(dir, address, 3306, false, "!include " + confDir.resolve("galera.cnf"));
        return new GaleraTestNode(address, confDir, db);
    }

    Path oneShotFile() {
        return confDir.resolve("galera-once.d").resolve(GaleraConfig.OneShot.FILE_NAME);
    }

    void writeOneShot(GaleraConfig.OneShot once) throws IOException {
        Files.writeString(oneShotFile(), once.render());
    }

    String status(String variable) {
        return db.status(variable);
    }

    /** Waits until the node reports the given status value; returns whether it did in time. */
    boolean await(String variable, String value, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 5; i++) {
            if (value.equals(db.status(variable))) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    static boolean awaitStatus(LocalMariaDb db, String variable, String value, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 5; i++) {
            if (value.equals(db.status(variable))) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        db.close();
    }
}
