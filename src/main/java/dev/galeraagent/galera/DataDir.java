package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;

import dev.galeraagent.files.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Reads a data directory into a {@link DataDirState}; reads only, never writes. */
public final class DataDir {
    private DataDir() {
    }

    /**
     * @throws NoSuchFileException when the directory does not exist
     * @throws InvalidFieldException when grastate.dat is corrupt
     * @throws dev.galeraagent.files.UnsafeFileException when grastate.dat is not a regular file, or too large
     */
    public static DataDirState inspect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory");
        }
        Set<String> entries = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> entries.add(p.getFileName().toString()));
        }
        // a FIFO, a device, a link or a huge file here is refused with an UnsafeFileException naming it
        Optional<String> text = SafeFiles.readStringIfPresent(dir.resolve(GrastateFile.FILE_NAME), SafeFiles.SMALL_FILE_MAX,
                StandardCharsets.ISO_8859_1);
        return DataDirState.classify(entries, text, SafeFiles.isPresent(dir.resolve(GvwState.FILE_NAME)));
    }
}
