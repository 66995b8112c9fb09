package dev.galeraagent.galera;

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
     */
    public static DataDirState inspect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory");
        }
        Set<String> entries = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> entries.add(p.getFileName().toString()));
        }
        Path grastate = dir.resolve(GrastateFile.FILE_NAME);
        Optional<String> text = Files.exists(grastate)
                ? Optional.of(Files.readString(grastate, StandardCharsets.ISO_8859_1))
                : Optional.empty();
        return DataDirState.classify(entries, text, Files.exists(dir.resolve(GvwState.FILE_NAME)));
    }
}
