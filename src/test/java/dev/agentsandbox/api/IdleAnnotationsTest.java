package dev.agentsandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.IdleAnnotations.IdleAction;
import dev.agentsandbox.api.IdleAnnotations.Parsed;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdleAnnotationsTest {

    @ParameterizedTest
    @CsvSource({
        "15m, PT15M",
        "1h30m, PT1H30M",
        "90s, PT1M30S",
        "1.5h, PT1H30M",
        "2h45m30.5s, PT2H45M30.5S",
        "300ms, PT0.3S",
        "1m0.5s, PT1M0.5S",
        ".5s, PT0.5S",
        "+10s, PT10S",
        "' 15m ', PT15M",
        "PT15M, PT15M",
        "pt90s, PT1M30S",
        "P1DT2H, PT26H",
    })
    void readsGoAndIsoDurations(String text, String expected) {
        Parsed<Duration> parsed = IdleAnnotations.timeout(text);
        assertThat(parsed.problem()).isNull();
        assertThat(parsed.valid()).isTrue();
        assertThat(parsed.value()).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"15", "15x", "m", "1h30", "fifteen minutes", "15 m", "1..5s", ".s", "P", "PT", "PTxM"})
    void refusesWhatIsNotADurationAndSaysWhat(String text) {
        Parsed<Duration> parsed = IdleAnnotations.timeout(text);
        assertThat(parsed.valid()).isFalse();
        assertThat(parsed.value()).isNull();
        assertThat(parsed.problem())
                .isEqualTo("\"" + text + "\" is not a duration; expected a Go duration such as 15m, 1h30m or 90s,"
                        + " or ISO-8601 such as PT15M");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "-5m", "PT0S", "PT-5M", "-PT5M"})
    void refusesDurationsThatAreNotAboveZero(String text) {
        assertThat(IdleAnnotations.timeout(text).problem()).isEqualTo("\"" + text + "\" is not above zero");
    }

    @Test
    void refusesAnEmptyTimeoutAndOneThatOverflows() {
        assertThat(IdleAnnotations.timeout("").problem()).startsWith("an empty value is not a duration");
        assertThat(IdleAnnotations.timeout(null).valid()).isFalse();
        assertThat(IdleAnnotations.timeout("9999999999h").problem()).contains("is not a duration");
    }

    @Test
    void readsExactlyTheTwoActions() {
        assertThat(IdleAnnotations.action("Suspend").value()).isEqualTo(IdleAction.SUSPEND);
        assertThat(IdleAnnotations.action("Delete").value()).isEqualTo(IdleAction.DELETE);
        for (String wrong : new String[] {"suspend", "Sleep", "", " Delete"}) {
            assertThat(IdleAnnotations.action(wrong).problem())
                    .isEqualTo("\"" + wrong + "\" is not an idle action; expected Suspend or Delete");
        }
        assertThat(IdleAnnotations.action(null).valid()).isFalse();
    }

    @Test
    void activityIsWrittenInUtcWithMillisecondsAndReadBack() {
        Instant at = Instant.parse("2026-12-05T06:01:02.345678Z");
        assertThat(IdleAnnotations.activity(at)).isEqualTo("2026-12-05T06:01:02.345Z");
        assertThat(IdleAnnotations.activity(Instant.parse("2026-12-05T06:01:02Z")))
                .isEqualTo("2026-12-05T06:01:02.000Z");
        assertThat(IdleAnnotations.activity("2026-12-05T06:01:02.345Z"))
                .contains(Instant.parse("2026-12-05T06:01:02.345Z"));
        assertThat(IdleAnnotations.activity("2026-12-05T07:01:02+01:00"))
                .contains(Instant.parse("2026-12-05T06:01:02Z"));
        assertThat(IdleAnnotations.activity("yesterday")).isEmpty();
        assertThat(IdleAnnotations.activity((String) null)).isEmpty();
    }

    @Test
    void keysAreInTheAgentsNamespace() {
        assertThat(IdleAnnotations.IDLE_TIMEOUT).isEqualTo("agents.x-k8s.io/idle-timeout");
        assertThat(IdleAnnotations.IDLE_ACTION).isEqualTo("agents.x-k8s.io/idle-action");
        assertThat(IdleAnnotations.LAST_ACTIVITY).isEqualTo("agents.x-k8s.io/last-activity");
        assertThat(IdleAnnotations.SUSPENDED_BY).isEqualTo("agents.x-k8s.io/suspended-by");
        assertThat(IdleAnnotations.SUSPENDED_BY_IDLE).isEqualTo("idle");
    }
}
