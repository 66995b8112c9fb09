package dev.galeraagent.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LogTest {
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.setOutput(System.err);
        Log.setFormat(Log.Format.PLAIN);
        Log.setDebug(false);
    }

    @Test
    void jsonKeepsAMessageWithQuotesBackslashesAndNewlinesOnOneParsableLine() {
        Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Log.setFormat(Log.Format.JSON);
        String message = "refused: \"galera-1\" holds C:\\data\nsecond line\ttab ünïcode";
        Log.of("bootstrap").error(message);
        Log.of("probe").debug("hidden without --verbose");
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(1);
        JsonNode line = JsonMapper.builder().build().readTree(text);
        assertThat(line.get("level").asString()).isEqualTo("ERROR");
        assertThat(line.get("logger").asString()).isEqualTo("bootstrap");
        assertThat(line.get("message").asString()).isEqualTo(message);
    }

    @Test
    void plainIsTheDefaultFormat() {
        Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Log.of("install").info("done");
        assertThat(captured.toString(StandardCharsets.UTF_8)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[install] done\\R");
    }
}
