package dev.agentsandbox.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The annotations of the idle policy (docs/idle.md) and how their values are read. The policy is set on a
 * SandboxTemplate and overridden per SandboxClaim, key by key; the router writes the activity on the Sandbox, the
 * controller marks an idle suspension there. Parsing is pure: a value or the reason it is not one, never an
 * exception, so an invalid value can be reported and ignored.
 */
public final class IdleAnnotations {

    private IdleAnnotations() {}

    /** On a template or claim: how long a claimed sandbox may go without requests, e.g. {@code 15m} or {@code PT15M}. */
    public static final String IDLE_TIMEOUT = Labels.PREFIX + "idle-timeout";
    /** On a template or claim: {@code Suspend} (the default) or {@code Delete}. */
    public static final String IDLE_ACTION = Labels.PREFIX + "idle-action";
    /** On a Sandbox, written by the router only: the last time it saw the sandbox in use (RFC 3339, milliseconds). */
    public static final String LAST_ACTIVITY = Labels.PREFIX + "last-activity";
    /** On a Sandbox, written by the controller only: who suspended it; {@link #SUSPENDED_BY_IDLE} for the idle policy. */
    public static final String SUSPENDED_BY = Labels.PREFIX + "suspended-by";

    public static final String SUSPENDED_BY_IDLE = "idle";

    /** What happens to a claimed sandbox idle for longer than its timeout. */
    public enum IdleAction {
        /** Its Sandbox is suspended (Pod deleted, volumes and Service kept) until the router wakes it. */
        SUSPEND("Suspend"),
        /** The claim is deleted, and its Sandbox with it. */
        DELETE("Delete");

        private final String value;

        IdleAction(String value) {
            this.value = value;
        }

        /** The value as written in the annotation. */
        public String value() {
            return value;
        }
    }

    /** An annotation's value read: either {@code value} or, when the text is not a valid value, {@code problem}. */
    public record Parsed<T>(T value, String problem) {

        public static <T> Parsed<T> of(T value) {
            return new Parsed<>(value, null);
        }

        public static <T> Parsed<T> invalid(String problem) {
            return new Parsed<>(null, problem);
        }

        public boolean valid() {
            return problem == null;
        }
    }

    private static final DateTimeFormatter ACTIVITY_FORMAT = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "µs", 1_000L,
            "μs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private static final String DURATION_FORMS = "a Go duration such as 15m, 1h30m or 90s, or ISO-8601 such as PT15M";

    /** An idle timeout: a Go-style ({@code 1h30m}) or ISO-8601 ({@code PT15M}) duration above zero. */
    public static Parsed<Duration> timeout(String text) {
        if (text == null || text.isBlank()) {
            return Parsed.invalid("an empty value is not a duration; expected " + DURATION_FORMS);
        }
        String trimmed = text.strip();
        Optional<Duration> duration = trimmed.matches("[-+]?[Pp].*") ? iso(trimmed) : go(trimmed);
        if (duration.isEmpty()) {
            return Parsed.invalid("\"" + text + "\" is not a duration; expected " + DURATION_FORMS);
        }
        if (duration.get().isNegative() || duration.get().isZero()) {
            return Parsed.invalid("\"" + text + "\" is not above zero");
        }
        return Parsed.of(duration.get());
    }

    /** An idle action: exactly {@code Suspend} or {@code Delete}. */
    public static Parsed<IdleAction> action(String text) {
        for (IdleAction action : IdleAction.values()) {
            if (action.value().equals(text)) {
                return Parsed.of(action);
            }
        }
        return Parsed.invalid("\"" + text + "\" is not an idle action; expected Suspend or Delete");
    }

    /** The last-activity value for {@code at}: RFC 3339 in UTC with milliseconds, e.g. 2026-12-05T06:01:02.345Z. */
    public static String activity(Instant at) {
        return ACTIVITY_FORMAT.format(at);
    }

    /** A last-activity value read back; empty when it is not an RFC 3339 time (such a value is ignored). */
    public static Optional<Instant> activity(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.strip()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> iso(String text) {
        try {
            return Optional.of(Duration.parse(text));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Go's time.ParseDuration: an optional sign, then one or more decimal numbers each followed by a unit. */
    private static Optional<Duration> go(String text) {
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        if (text.substring(i).equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        boolean any = false;
        while (i < text.length()) {
            int numberStart = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            String number = text.substring(numberStart, i);
            int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            Long unit = NANOS_PER_UNIT.get(text.substring(unitStart, i));
            if (unit == null || !number.matches("\\d+(\\.\\d*)?|\\.\\d+")) {
                return Optional.empty();
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
            any = true;
        }
        if (!any || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return Optional.empty();
        }
        Duration duration = Duration.ofNanos(nanos.longValue());
        return Optional.of(negative ? duration.negated() : duration);
    }
}
