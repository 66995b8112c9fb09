package dev.galeraagent.galera;

import dev.galeraagent.position.InvalidFieldException;
import dev.galeraagent.position.Uuids;

import java.util.regex.Pattern;

/**
 * Validation of every value that goes into a MariaDB option file. An option file has no quoting that
 * is safe for arbitrary text, so values are checked against a small allowed alphabet, and a refused
 * value is named with the character that would have injected config.
 */
final class ConfigValues {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._/+-]*");
    private static final Pattern SIZE = Pattern.compile("[0-9]+[KMGkmg]?");

    private ConfigValues() {
    }

    static String name(String field, String value) {
        return check(field, value, NAME, "letters, digits, '.', '_' and '-'");
    }

    static String host(String field, String value) {
        if (value != null && value.indexOf(':') >= 0) {
            String v = check(field, value, IPV6, "an IPv6 address without brackets (hex digits, ':' and '.')");
            try {
                java.net.InetAddress.ofLiteral(v);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException(field, "'" + Uuids.printable(v) + "' is not an IPv6 address");
            }
            return v;
        }
        String v = check(field, value, HOST, "a DNS name, an IPv4 or an IPv6 address (letters, digits, '.', '-', ':')");
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

    /**
     * {@code host:port} as Galera and the SST scripts parse it: an IPv6 address in brackets
     * ({@code [::1]:4567}), since its own colons would otherwise be taken for the port's.
     */
    static String hostPort(String host, int port) {
        return bracketed(host) + ":" + port;
    }

    /** An IPv6 address in brackets, any other host as it is. */
    static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
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
