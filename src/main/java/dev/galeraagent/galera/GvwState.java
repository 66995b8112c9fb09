package dev.galeraagent.galera;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Galera's {@code gvwstate.dat}: the last Primary component this node saw, which {@code pc.recovery}
 * uses to restore that component when all its members come back. Its presence means the node was in a
 * Primary component when it stopped uncleanly.
 */
public record GvwState(UUID myUuid, List<UUID> members) {
    public static final String FILE_NAME = "gvwstate.dat";

    public GvwState {
        members = List.copyOf(members);
    }

    public static GvwState parse(String text) {
        UUID my = null;
        List<UUID> members = new ArrayList<>();
        for (String raw : text.split("\r?\n|\r")) {
            String line = raw.strip();
            if (line.startsWith("my_uuid:")) {
                my = Uuids.parse("my_uuid", line.substring("my_uuid:".length()).strip());
            } else if (line.startsWith("member:")) {
                String[] parts = line.substring("member:".length()).strip().split("\\s+");
                members.add(Uuids.parse("member", parts[0]));
            }
        }
        if (my == null) {
            throw new InvalidFieldException("my_uuid", "missing (the file is truncated or not a gvwstate.dat)");
        }
        return new GvwState(my, members);
    }
}
