package dev.agentsandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameHashTest {

    /** FNV-1a 32-bit test vectors from the reference FNV test suite (Noll, "FNV hash test vectors"). */
    @ParameterizedTest
    @CsvSource(
            value = {
                "'', 811c9dc5",
                "a, e40c292c",
                "b, e70c2de5",
                "c, e60c2c52",
                "d, e10c2473",
                "e, e00c22e0",
                "f, e30c2799",
                "fo, 6222e842",
                "foo, a9f37ed7",
                "foob, 3f5076ef",
                "fooba, 39aaa18a",
                "foobar, bf9cf968",
            })
    void matchesPublishedVectors(String input, String expected) {
        assertThat(NameHash.of(input)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"kata-aks-warmpool, 8d39846e", "kata-aks-template, 6f8f6fd3", "my-aks-agent, 3c0a547b"})
    void hashesExampleNames(String input, String expected) {
        assertThat(NameHash.of(input)).isEqualTo(expected).matches("[0-9a-f]{8}");
    }

    @ParameterizedTest
    @CsvSource({"ü, 119dd44a"})
    void hashesUtf8BytesNotChars(String input, String expected) {
        assertThat(NameHash.of(input)).isEqualTo(expected);
    }
}
