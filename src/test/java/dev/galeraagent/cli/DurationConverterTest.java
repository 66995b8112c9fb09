package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    @Test
    void readsEachUnit() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse(" 5m ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void refusesNumbersWithoutUnitsNegativesAndGarbage() {
        for (String bad : new String[] {"30", "-5s", "5 s", "1.5s", "s", "", "10d", "9999999999s"}) {
            assertThatThrownBy(() -> DurationConverter.parse(bad))
                    .as("'%s' must be refused", bad)
                    .isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration");
        }
    }
}
