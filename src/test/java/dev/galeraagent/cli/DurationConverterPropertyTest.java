package dev.galeraagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.galeraagent.testing.Hostile;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import picocli.CommandLine.TypeConversionException;

/** Durations come from the command line and the environment: a value, or picocli's one-line conversion error. */
class DurationConverterPropertyTest {
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(Hostile.text(1000), Hostile.mutationsOf("30s"), Hostile.mutationsOf("500ms"),
                Hostile.number().flatMap(n -> Arbitraries.of("ms", "s", "m", "h", "d", "", "S", " s").map(u -> n + u)));
    }

    @Property(tries = 500)
    void anyTextIsADurationOrAOneLineRefusal(@ForAll("values") String value) {
        try {
            assertThat(DurationConverter.parse(value).isNegative()).isFalse();
        } catch (TypeConversionException e) {
            assertThat(e.getMessage()).contains("is not a duration").doesNotContain("\n");
        }
    }

    @Property(tries = 100)
    void everyWellFormedDurationMeansWhatItSays(@ForAll @IntRange(min = 0, max = 999_999_999) int n) {
        assertThat(DurationConverter.parse(n + "ms")).isEqualTo(Duration.ofMillis(n));
        assertThat(DurationConverter.parse(n + "h")).isEqualTo(Duration.ofHours(n));
    }
}
