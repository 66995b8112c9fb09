package dev.galeraagent.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 checksums of every file of a packaged agent, written at build time as
 * {@code MANIFEST.sha256} in {@code sha256sum} format ({@code <hex>  <relative path>}, sorted by path),
 * so that {@code sha256sum -c} can check a copy by hand too.
 */
public record Manifest(List<Entry> entries, byte[] bytes) {
    /** The manifest's own name; it lists every other file of the packaged tree. */
    public static final String FILE_NAME = "MANIFEST.sha256";

    /** One file: its path relative to the packaged home (with {@code /}) and its SHA-256. */
    public record Entry(String path, String sha256) {
    }

    public Manifest {
        entries = List.copyOf(entries);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** A short, stable name for this exact set of files: the first 12 hex digits of the manifest's SHA-256. */
    public String id() {
        return sha256(bytes).substring(0, 12);
    }

    public long totalFiles() {
        return entries.size();
    }

    /** Hashes every regular file under {@code home} (except the manifest); refuses symlinks and special files. */
    public static Manifest of(Path home) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    continue;
                }
                if (!a.isRegularFile()) {
                    throw new IOException("the packaged agent may hold only regular files, but " + home.relativize(p) + " is not one");
                }
                if (!p.equals(home.resolve(FILE_NAME))) {
                    files.add(p);
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (Path p : files) {
            entries.add(new Entry(relativeName(home, p), sha256(p)));
        }
        entries.sort((x, y) -> x.path().compareTo(y.path()));
        return rendered(entries);
    }

    private static Manifest rendered(List<Entry> entries) {
        StringBuilder text = new StringBuilder();
        for (Entry e : entries) {
            text.append(e.sha256()).append("  ").append(e.path()).append('\n');
        }
        return new Manifest(entries, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a manifest; every line must be {@code <64 hex>  <relative path>} with a safe path. */
    public static Manifest parse(byte[] bytes) {
        List<Entry> entries = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 67 || line.charAt(64) != ' ' || line.charAt(65) != ' ' || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(FILE_NAME + " line " + lineNo + ": expected '<sha256>  <path>'");
            }
            String path = line.substring(66);
            if (!isSafeRelativePath(path)) {
                throw new IllegalArgumentException(FILE_NAME + " line " + lineNo + ": unsafe path '" + path + "'");
            }
            entries.add(new Entry(path, line.substring(0, 64)));
        }
        return new Manifest(entries, bytes);
    }

    /** Reads {@code home/MANIFEST.sha256}. */
    public static Manifest read(Path home) throws IOException {
        return parse(Files.readAllBytes(home.resolve(FILE_NAME)));
    }

    /** A path that stays inside the directory it is resolved against: relative, no {@code ..}, no empty parts. */
    static boolean isSafeRelativePath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    static String relativeName(Path home, Path file) {
        return home.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the runtime has no SHA-256", e);
        }
    }

    /** This manifest without the files at {@code paths}: what a copy that leaves them out holds, in the same format. */
    public Manifest without(java.util.Set<String> paths) {
        return rendered(entries.stream().filter(e -> !paths.contains(e.path())).toList());
    }

    /** Build step: writes {@code DIR/MANIFEST.sha256} for the packaged tree in DIR. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Manifest DIR");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        Manifest m = of(home);
        Files.write(home.resolve(FILE_NAME), m.bytes);
        System.out.println("wrote " + home.resolve(FILE_NAME) + ": " + m.entries.size() + " files, id " + m.id());
    }
}
