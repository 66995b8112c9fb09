package dev.galeraagent.files;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Files a careless neighbour or an attacker leaves in a volume, for the tests of every reader. */
public final class HostileFiles {
    private HostileFiles() {
    }

    /** A named pipe: opening it for reading blocks until some process opens it for writing. */
    public static Path fifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo " + path + " failed");
        }
        return path;
    }

    /** A sparse file of {@code bytes}: costs no disk, but a reader that trusts it allocates it all. */
    public static Path huge(Path path, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return path;
    }
}
