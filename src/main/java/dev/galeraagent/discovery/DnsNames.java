package dev.galeraagent.discovery;

import java.util.regex.Pattern;

/**
 * Validates names before they are used to build peer names or written into Galera's config:
 * RFC 1123 labels and names, lowercase, as Kubernetes requires them. Anything else, such as a
 * newline, {@code #}, a quote, {@code =}, {@code [} or a space, is refused here, so no value can
 * inject a line into a config file later.
 */
final class DnsNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** The longest name that fits in DNS (253 characters without the trailing dot). */
    public static final int MAX_NAME = 253;

    private DnsNames() {
    }

    /** Returns {@code value} if it is a lowercase RFC 1123 label, else throws naming {@code what} and the value. */
    public static String requireLabel(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (!LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " " + quote(value)
                    + " is not a DNS label (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)");
        }
        return value;
    }

    /** Returns {@code value} if it is a dot-separated lowercase RFC 1123 name (no trailing dot), else throws. */
    public static String requireName(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (value.length() > MAX_NAME) {
            throw new IllegalArgumentException(what + " " + quote(value) + " is longer than " + MAX_NAME + " characters");
        }
        for (String label : value.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(what + " " + quote(value)
                        + " is not a DNS name (dot-separated labels of lowercase letters, digits and '-')");
            }
        }
        return value;
    }

    /**
     * Shows a value inside an error message so that control characters cannot break the one-line
     * message: a newline prints as {@code \n}, other control characters as {@code \\uXXXX}.
     */
    static String quote(String value) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < value.length() && i < 100; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (value.length() > 100) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
