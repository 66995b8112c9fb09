package dev.galeraagent.bootstrap;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Position;

/**
 * A person's {@code --force-bootstrap-from=<ordinal>@<uuid>:<seqno>}: bootstrap from that pod, but only while it still
 * holds exactly the position the person saw. Bound to the position, an override left in the manifest cannot start an
 * unelected bootstrap at a later outage: by then the pod's data has moved on and the override no longer matches.
 */
public record ForcedBootstrap(int ordinal, Position position) {
    public ForcedBootstrap {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal must be 0 or more, was " + ordinal);
        }
        if (!position.seqnoKnown()) {
            throw new IllegalArgumentException("the position must name a seqno, not -1");
        }
    }

    /** @throws InvalidFieldException naming the option when {@code text} is not {@code <ordinal>@<uuid>:<seqno>} */
    public static ForcedBootstrap parse(String option, String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            throw new InvalidFieldException(option, "must be <ordinal>@<uuid>:<seqno> (the position the REFUSE message and --dry-run show"
                    + " for that pod), so that an override left in place cannot bootstrap again at a later outage; was '" + text + "'");
        }
        String ordinalText = text.substring(0, at);
        if (!ordinalText.matches("0|[1-9][0-9]{0,8}")) {
            throw new InvalidFieldException(option, "the ordinal before '@' must be a number, was '" + ordinalText + "'");
        }
        Position p = Position.parse(option, text.substring(at + 1));
        if (!p.seqnoKnown()) {
            throw new InvalidFieldException(option, "the seqno must be the pod's recovered seqno, not -1");
        }
        return new ForcedBootstrap(Integer.parseInt(ordinalText), p);
    }

    @Override
    public String toString() {
        return ordinal + "@" + position;
    }
}
