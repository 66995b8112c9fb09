package dev.galeraagent.galera;

import java.util.regex.Pattern;

/**
 * Validation of every value that goes into a MariaDB option file. An option file has no quoting that
 * is safe for arbitrary text, so values are checked against a small allowed alphabet, and a refused
 * value is named with the character that would have injected config.
 */
final class ConfigValues {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._/+-]*");
    private static final Pattern SIZE = Pattern.compile("[0-9]+[KMGkmg]?");

    private ConfigValues() {
    }

    static String name(String field, String value) {
        return check(field, value, NAME, "letters, digits, '.', '_' and '-'");
    }

    static String host(String field, String value) {
        String v = check(field, value, HOST, "a DNS name or an IPv4 address (letters, digits, '.', '-')");
        if (v.startsWith("-") || v.startsWith(".") || v.endsWith("-")) {
            throw new InvalidFieldException(field, "not a host name: '" + v + "'");
        }
        return v;
    }

    static String path(String field, String value) {
        String v = check(field, value, PATH, "an absolute path of letters, digits, '.', '_', '/', '+' and '-'");
        if (v.contains("/../") || v.endsWith("/..")) {
            throw new InvalidFieldException(field, "must not contain '..': '" + v + "'");
        }
        return v;
    }

    static String size(String field, String value) {
        return check(field, value, SIZE, "a number with an optional K, M or G suffix");
    }

    static int port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidFieldException(field, "port must be 1-65535, was " + port);
        }
        return port;
    }

    private static String check(String field, String value, Pattern allowed, String expected) {
        if (value == null || value.isEmpty()) {
            throw new InvalidFieldException(field, "must not be empty");
        }
        if (value.length() > 253) {
            throw new InvalidFieldException(field, "longer than 253 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            String bad = describe(value.charAt(i));
            if (bad != null) {
                throw new InvalidFieldException(field, "contains " + bad + " (in '" + Uuids.printable(value)
                        + "'); refusing to write it into the config: it could inject settings. Expected " + expected);
            }
        }
        if (!allowed.matcher(value).matches()) {
            throw new InvalidFieldException(field, "'" + Uuids.printable(value) + "' is not valid here. Expected " + expected);
        }
        return value;
    }

    /** A name for a character that must never reach an option file, or null for an ordinary one. */
    private static String describe(char c) {
        return switch (c) {
            case '\n' -> "a newline";
            case '\r' -> "a carriage return";
            case '#' -> "'#' (starts a comment)";
            case ';' -> "';' (separates provider options)";
            case ',' -> "',' (separates addresses)";
            case '"', '\'' -> "a quote";
            case '`' -> "a backquote";
            case '=' -> "'=' (separates option and value)";
            case '[', ']' -> "'" + c + "' (starts a config group)";
            case '\\' -> "a backslash (an escape)";
            case '!' -> "'!' (an include directive)";
            case ' ' -> "a space";
            case '\t' -> "a tab";
            default -> Character.isISOControl(c) || Character.isWhitespace(c)
                    ? String.format("a control character (\\u%04x)", (int) c)
                    : null;
        };
    }
}
