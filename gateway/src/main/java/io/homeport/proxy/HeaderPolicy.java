package io.homeport.proxy;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What becomes of a client's request header fields on the way upstream (SPEC §4), in one table.
 * Two writers apply it: {@link ForwardedHeaders#forUpstream} to Netty's headers (the codec path,
 * HTTP/2 streams) and the direct path's head writer to the wire bytes; a test holds them to the
 * same upstream head, byte for byte. Every field not named here is copied as it came (fields with
 * an underscore in their name aside: {@code proxy.headers_with_underscores}).
 */
public final class HeaderPolicy {

    public enum Rule {
        /** Forwarded as it came. */
        COPY,
        /** Hop-by-hop (RFC 9110 §7.6.1) or meant for a proxy: never forwarded. */
        DROP,
        /** The gateway writes it; what the client sent is read (a trusted peer's hops) and replaced. */
        REPLACE,
        /** Forwarded only from a trusted proxy; from anyone else it is dropped and the gateway writes its own. */
        TRUSTED_ONLY
    }

    private static final Map<AsciiString, Rule> RULES = rules();

    private static Map<AsciiString, Rule> rules() {
        Map<AsciiString, Rule> rules = new LinkedHashMap<>();
        for (String name : List.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                "upgrade", "proxy-authenticate", "proxy-authorization")) {
            rules.put(AsciiString.cached(name), Rule.DROP);
        }
        for (String name : List.of("x-forwarded-for", "x-request-id", "x-homeport-country", "x-homeport-region")) {
            rules.put(AsciiString.cached(name), Rule.REPLACE);
        }
        for (String name : List.of("forwarded", "x-forwarded-proto", "x-forwarded-host")) {
            rules.put(AsciiString.cached(name), Rule.TRUSTED_ONLY);
        }
        return Collections.unmodifiableMap(rules);
    }

    private HeaderPolicy() {}

    /** The rule for a field, by its name in any case. */
    public static Rule rule(CharSequence name) {
        Rule rule = RULES.get(AsciiString.of(name).toLowerCase());
        return rule == null ? Rule.COPY : rule;
    }

    /** The lower-case names under {@code rule}, in the table's order. */
    public static List<AsciiString> names(Rule rule) {
        List<AsciiString> names = new ArrayList<>();
        RULES.forEach((name, r) -> {
            if (r == rule) {
                names.add(name);
            }
        });
        return List.copyOf(names);
    }

    /** Every named field and its rule, lower case, in the table's order. */
    public static Map<String, Rule> table() {
        Map<String, Rule> table = new LinkedHashMap<>();
        RULES.forEach((name, rule) -> table.put(name.toString().toLowerCase(Locale.ROOT), rule));
        return table;
    }
}
