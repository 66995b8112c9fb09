package dev.galeraagent.handoff;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.galeraagent.files.AtomicFiles;
import dev.galeraagent.files.SafeFiles;
import dev.galeraagent.files.UnsafeFileException;
import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;
import dev.galeraagent.status.StatusJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.ser.std.ToStringSerializer;

/**
 * The bootstrap hand-off ({@value #REQUEST}, next to galera.cnf): written by {@code agent bootstrap}
 * for NEW_CLUSTER and BOOTSTRAP_FROM_HERE; {@code probe serve} calls {@link #complete} once the node is
 * Primary, which deletes the one-shot file (so a container restart cannot bootstrap again) and renames
 * the request to {@value #DONE}. Schema: docs/architecture.md, "Rule 10". The optional {@code "lease"} object
 * ({@link HandOffLease}, written by {@link #toJson(Optional)}) names the bootstrap Lease the sidecar renews; {@code replicas}
 * tells the sidecar when every pod is in the cluster, so it can close the bootstrap the Lease records as open.
 *
 * @param position the position BOOTSTRAP_FROM_HERE starts from, written {@code uuid:seqno}; null for NEW_CLUSTER, and when the
 *                 file holds text {@link Position#parse} refuses: the sidecar shows it, never decides on it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HandOff(
        @JsonProperty("plan") String plan,
        @JsonProperty("pod") String pod,
        @JsonProperty("ordinal") int ordinal,
        @JsonProperty("position") @JsonSerialize(using = ToStringSerializer.class) @JsonDeserialize(using = ShownPosition.class) Position position,
        @JsonProperty("one_shot_file") String oneShotFile,
        @JsonProperty("reasons") List<String> reasons,
        @JsonProperty("time") String time,
        @JsonProperty("agent_version") String agentVersion,
        @JsonProperty("replicas") Integer replicas) {

    public static final String REQUEST = "bootstrap-request.json";
    public static final String DONE = "bootstrap-done.json";
    /** The directory next to galera.cnf with the one-shot settings (mariadbd {@code !includedir}s it) the sidecar removes. */
    public static final String ONE_SHOT_DIR = "galera-once.d";

    public HandOff {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** A hand-off that does not say the replicas (written by an older agent): its bootstrap is never closed on the Lease. */
    public HandOff(String plan, String pod, int ordinal, Position position, String oneShotFile, List<String> reasons, String time,
                   String agentVersion) {
        this(plan, pod, ordinal, position, oneShotFile, reasons, time, agentVersion, null);
    }

    public String toJson() {
        return StatusJson.write(this);
    }

    /** The document with the Lease the bootstrap took, when it took one through the API. */
    public String toJson(Optional<HandOffLease> lease) {
        return lease.map(l -> l.addTo(toJson())).orElseGet(this::toJson);
    }

    /** The pending request in {@code configDir}, if any. */
    public static Optional<HandOff> pending(Path configDir) throws IOException {
        return SafeFiles.readStringIfPresent(configDir.resolve(REQUEST), SafeFiles.JSON_MAX, StandardCharsets.UTF_8).map(HandOff::parse);
    }

    /** The completed hand-off ({@value #DONE}) in {@code configDir}, if any. */
    public static Optional<HandOff> done(Path configDir) throws IOException {
        return SafeFiles.readStringIfPresent(configDir.resolve(DONE), SafeFiles.JSON_MAX, StandardCharsets.UTF_8).map(HandOff::parse);
    }

    /** Reads a hand-off file, request or done: the one reader of the format. */
    public static HandOff read(Path file) throws IOException {
        return parse(readText(file));
    }

    /** The text of a hand-off file, read as every file of the agent is ({@link SafeFiles}: a regular file, at most 1 MiB). */
    public static String readText(Path file) throws IOException {
        return SafeFiles.readString(file, SafeFiles.JSON_MAX, StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when {@code json} is not a hand-off document */
    public static HandOff parse(String json) {
        return StatusJson.read(json, HandOff.class);
    }

    /** For the sidecar, once the node is Primary: remove the one-shot settings, then mark the request done. */
    public static void complete(Path configDir) throws IOException {
        Optional<HandOff> req = pending(configDir);
        if (req.isEmpty()) {
            return;
        }
        // the one-shot files under this sidecar's own mount of the config volume, not the path the request
        // names: that is where agent bootstrap saw the volume, and a file outside it is none of ours to delete
        clearOneShots(configDir);
        Files.move(configDir.resolve(REQUEST), configDir.resolve(DONE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(configDir);
    }

    /**
     * For the sidecar, once a joiner is Synced: remove every one-shot file ({@code wsrep_start_position}),
     * so a later container restart does not claim a stale position.
     */
    public static void clearOneShots(Path configDir) throws IOException {
        Path dir = configDir.resolve(ONE_SHOT_DIR);
        if (Files.isSymbolicLink(dir)) {
            // a link planted here would have us delete *.cnf wherever it points
            throw new UnsafeFileException(dir, "is a symbolic link; refusing to delete the one-shot files through it");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(".cnf")) {
                    Files.deleteIfExists(f);
                }
            }
        }
        AtomicFiles.fsyncDirectory(dir);
    }

    /**
     * Reads {@code "position"} as a JSON string is read (so what was refused before is refused now), then as {@link Position#parse}
     * reads it; a string it refuses is no position rather than an unreadable hand-off, which the sidecar must still complete.
     */
    static final class ShownPosition extends ValueDeserializer<Position> {
        @Override
        public Position deserialize(JsonParser parser, DeserializationContext context) {
            String text = context.readValue(parser, String.class);
            try {
                return Position.parse("position", text);
            } catch (InvalidFieldException e) {
                return null;
            }
        }
    }
}
