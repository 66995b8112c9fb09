package dev.galeraagent.files;

import java.io.IOException;
import java.nio.file.Path;

/** A file or directory the agent refuses to read or write (a link, a FIFO, a device, too large); the message is one line naming it. */
public final class UnsafeFileException extends IOException {
    private final transient Path file;

    public UnsafeFileException(Path file, String problem) {
        super(file + " " + problem);
        this.file = file;
    }

    /** The path that was refused (a file, or the directory on its way). */
    public Path file() {
        return file;
    }
}
