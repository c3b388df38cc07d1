package dev.agentsandbox.owner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule for owner names: a non-empty Kubernetes label value (label, header and Secret key alike). */
class OwnerTest {

    private static final String LABEL_VALUE_RULE = "must be a Kubernetes label value";

    @ParameterizedTest
    @ValueSource(strings = {"alice", "A", "0", "bob.smith", "user_1", "x-y-z", "Alice.Smith_2", "anonymous"})
    void labelValuesAreOwners(String name) {
        assertThat(Owner.isValid(name)).isTrue();
        assertThat(new Owner(name).name()).isEqualTo(name);
        assertThat(Owner.fromHeader(name)).isEqualTo(new Owner(name));
    }

    @Test
    void atMostSixtyThreeCharacters() {
        assertThat(new Owner("a".repeat(63)).name()).hasSize(63);
    }

    static Stream<Arguments> notOwners() {
        return Stream.of(
                argumentSet("null", null, "must not be empty"),
                argumentSet("empty", "", "must not be empty"),
                argumentSet("64 characters", "a".repeat(64), "64 characters, at most 63 allowed"),
                argumentSet("leading '-'", "-alice", LABEL_VALUE_RULE),
                argumentSet("trailing '-'", "alice-", LABEL_VALUE_RULE),
                argumentSet("leading '.'", ".x", LABEL_VALUE_RULE),
                argumentSet("trailing '.'", "x.", LABEL_VALUE_RULE),
                argumentSet("leading '_'", "_x", LABEL_VALUE_RULE),
                argumentSet("a space", "a b", LABEL_VALUE_RULE),
                argumentSet("a slash (a path in a Secret key)", "alice/../admin", LABEL_VALUE_RULE),
                argumentSet("a non-ASCII letter", "ä", LABEL_VALUE_RULE),
                argumentSet("a non-ASCII digit", "\u0661", LABEL_VALUE_RULE),
                argumentSet("a line break", "a\nb", LABEL_VALUE_RULE));
    }

    @ParameterizedTest
    @MethodSource("notOwners")
    void otherNamesAreRefusedWithTheReason(String name, String reason) {
        assertThat(Owner.isValid(name)).isFalse();
        assertThatThrownBy(() -> new Owner(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("owner \"")
                .hasMessageContaining("is not valid: " + reason);
    }

    @Test
    void aMissingOrEmptyHeaderIsAnonymous() {
        assertThat(Owner.fromHeader(null)).isEqualTo(Owner.ANONYMOUS);
        assertThat(Owner.fromHeader("")).isEqualTo(Owner.ANONYMOUS);
        assertThat(Owner.ANONYMOUS.name()).isEqualTo("anonymous");
    }

    @Test
    void aRefusedHeaderIsNamedAndCannotForgeLines() {
        assertThatThrownBy(() -> Owner.fromHeader("bob\r\nX-Admin: \"yes\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("X-Owner \"bob\\u000d\\u000aX-Admin: \\u0022yes\\u0022\" is not valid: "
                        + LABEL_VALUE_RULE + " (letters, digits, '-', '_' or '.', beginning and ending with a letter "
                        + "or digit)");
    }

    @Test
    void aLongRefusedNameIsCutInTheMessage() {
        assertThatThrownBy(() -> new Owner("x".repeat(5000)))
                .hasMessage("owner \"" + "x".repeat(63) + "...\" is not valid: 5000 characters, at most 63 allowed");
    }
}
