package dev.galeraagent.cli;

import dev.galeraagent.log.Log;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options every mode takes; mixed into each subcommand with {@code @Mixin}. */
public final class CommonOptions {
    @Option(
            names = "--verbose",
            defaultValue = "${env:AGENT_VERBOSE:-false}",
            description = "Print stack traces with errors, and debug logs. (env: AGENT_VERBOSE)")
    public boolean verbose;

    @Option(
            names = "--log-format",
            paramLabel = "plain|json",
            defaultValue = "${env:AGENT_LOG_FORMAT:-plain}",
            converter = FormatConverter.class,
            description = "plain: one line per event; json: one JSON object per line (time, level, logger, message). "
                    + "Default: ${DEFAULT-VALUE}. (env: AGENT_LOG_FORMAT)")
    public Log.Format logFormat = Log.Format.PLAIN;

    /** Applies --verbose and --log-format to every logger. */
    void applyLogging() {
        Log.setDebug(verbose);
        Log.setFormat(logFormat);
    }

    static final class FormatConverter implements ITypeConverter<Log.Format> {
        @Override
        public Log.Format convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "plain" -> Log.Format.PLAIN;
                case "json" -> Log.Format.JSON;
                default -> throw new TypeConversionException("'" + value + "' is not a log format: plain or json");
            };
        }
    }
}
