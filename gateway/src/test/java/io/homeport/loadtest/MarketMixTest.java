package io.homeport.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarketMixTest {

    @TempDir
    Path directory;

    @Test
    void parsesWeightsInTheOrderGiven() {
        MarketMix mix = MarketMix.parse("CN=40, IN=20,ID=10,SG=5,MY=5,US=10,BR=10");

        assertThat(mix.weights()).containsExactly(
                entry("CN", 40), entry("IN", 20), entry("ID", 10), entry("SG", 5), entry("MY", 5), entry("US", 10), entry("BR", 10));
        assertThat(mix.totalWeight()).isEqualTo(100);
        assertThat(mix.share("CN")).isEqualTo(0.4);
        assertThat(mix.share("JP")).isZero();
        assertThat(mix).hasToString("CN=40,IN=20,ID=10,SG=5,MY=5,US=10,BR=10");
    }

    @Test
    void weightsAreRelative() {
        MarketMix mix = MarketMix.parse("CN=2,US=1");

        assertThat(mix.share("CN")).isEqualTo(2.0 / 3);
    }

    @Test
    void theDefaultMixParses() {
        assertThat(MarketMix.parse(MarketMix.DEFAULT).weights()).hasSize(7);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CN=40,UK=5      | \"UK\" is not an ISO 3166-1 alpha-2 country code (did you mean \"GB\"?)",
        "cn=40           | (did you mean \"CN\"? codes are upper case)",
        "XX=1            | \"XX\" is not an ISO 3166-1 alpha-2 country code",
        "CN=0            | CN: weight 0 (expected: 1..1000000)",
        "CN=-3           | CN: weight -3 (expected: 1..1000000)",
        "CN=forty        | CN: weight \"forty\" is not a whole number",
        "CN=40,CN=10     | CN is given twice",
        "CN              | \"CN\" (expected: COUNTRY=WEIGHT, e.g. CN=40)",
        "CN=40,          | \"\" (expected: COUNTRY=WEIGHT",
        "=5              | \"=5\" (expected: COUNTRY=WEIGHT"})
    void refusesWhatIsNotAMixSayingWhy(String text, String message) {
        assertThatThrownBy(() -> MarketMix.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void readsTheSameMapFromYaml() throws Exception {
        Path file = Files.writeString(directory.resolve("mix.yaml"), """
                # the Asian launch
                CN: 40
                IN: 20
                NO: 5     # Norway, not YAML 1.1's false
                """);

        assertThat(MarketMixFile.load(file).weights()).containsExactly(entry("CN", 40), entry("IN", 20), entry("NO", 5));
    }

    @Test
    void aYamlMistakeIsLocatedByLineAndColumn() throws Exception {
        Path file = Files.writeString(directory.resolve("mix.yaml"), "CN: 40\n  \nUK: 5\n");

        assertThatThrownBy(() -> MarketMixFile.load(file))
                .hasMessage(file + ":3:1: \"UK\" is not an ISO 3166-1 alpha-2 country code (did you mean \"GB\"?)");
    }

    @Test
    void aYamlFileMustHoldAMapOfWholeNumbers() throws Exception {
        Path list = Files.writeString(directory.resolve("list.yaml"), "- CN\n- IN\n");
        Path fraction = Files.writeString(directory.resolve("fraction.yaml"), "CN: 40\nIN: 2.5\n");
        Path twice = Files.writeString(directory.resolve("twice.yaml"), "CN: 40\nCN: 2\n");

        assertThatThrownBy(() -> MarketMixFile.load(list)).hasMessageContaining("list.yaml:1:1: expected a map of country code to weight");
        assertThatThrownBy(() -> MarketMixFile.load(fraction)).hasMessage(fraction + ":2:5: IN: weight \"2.5\" is not a whole number");
        assertThatThrownBy(() -> MarketMixFile.load(twice)).hasMessage(twice + ":2:1: CN is given twice (expected: each market once)");
    }

    private static java.util.Map.Entry<String, Integer> entry(String country, int weight) {
        return java.util.Map.entry(country, weight);
    }
}
