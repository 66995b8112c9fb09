package dev.galeraagent.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The one parser of durations on the command line: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** The value as an error message may quote it: one line, at most 40 characters. */
    private static String shown(String value) {
        String s = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    public static Duration parse(String value) {
        Matcher m = FORM.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + shown(value) + "' is not a duration: write a whole number and a unit, like 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
