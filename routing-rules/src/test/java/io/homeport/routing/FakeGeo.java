package io.homeport.routing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A GeoIP database for tests: answers by the address's text ({@link InetAddress#getHostAddress()}),
 * and records every address it was asked about.
 */
final class FakeGeo implements GeoLookup {

    private final Map<String, CountryLookup> answers = new HashMap<>();
    private final Function<InetAddress, CountryLookup> otherwise;
    final List<InetAddress> calls = new ArrayList<>();

    private FakeGeo(Function<InetAddress, CountryLookup> otherwise) {
        this.otherwise = otherwise;
    }

    /** Answers from {@code countries} (address text to country code); any other address is NOT_FOUND. */
    static FakeGeo of(Map<String, String> countries) {
        FakeGeo geo = new FakeGeo(address -> CountryLookup.NOT_FOUND);
        countries.forEach((address, country) -> geo.answer(address, CountryLookup.found(country, null)));
        return geo;
    }

    /** Answers every address with {@code answer}. */
    static FakeGeo always(Function<InetAddress, CountryLookup> answer) {
        return new FakeGeo(answer);
    }

    FakeGeo answer(String literal, CountryLookup lookup) {
        // Keyed by the canonical text, so "::1" and "0:0:0:0:0:0:0:1" are the same key.
        answers.put(IpAddresses.parseLiteral(literal).orElseThrow().getHostAddress(), lookup);
        return this;
    }

    @Override
    public CountryLookup lookup(InetAddress address) {
        calls.add(address);
        CountryLookup answer = answers.get(address.getHostAddress());
        return answer != null ? answer : otherwise.apply(address);
    }

    @Override
    public String description() {
        return "fake geo";
    }
}
