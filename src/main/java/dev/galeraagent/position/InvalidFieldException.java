package dev.galeraagent.position;

/**
 * A Galera file or config value that is wrong, with the name of the field at fault, so a person
 * knows what to fix ({@code grastate.dat: seqno: not a number: 'x'}).
 */
public final class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidFieldException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
