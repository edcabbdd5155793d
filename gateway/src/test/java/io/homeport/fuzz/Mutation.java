package io.homeport.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One edit of a valid message, the way a fuzzer makes one: overwrite a byte, insert a token that
 * matters to HTTP or PROXY framing, delete or duplicate a run of bytes.
 *
 * @param at where, as a fraction of the message's length
 */
record Mutation(Kind kind, double at, int length, int token, byte value) {

    enum Kind { OVERWRITE, INSERT, DELETE, DUPLICATE }

    /** What framing bugs are made of. */
    static final List<String> TOKENS = List.of("\r\n", "\n", "\r", " ", "\t", ":", "\r\n ", "\r\n\r\n", "\u0000", ",", ";",
            "Transfer-Encoding: chunked\r\n", "Content-Length: 3\r\n", "Content-Length: 99999999999999999999\r\n",
            "0\r\n\r\n", "ffffffff\r\n", "Host: x\r\n", "Host: other\r\n", "GET http://evil.example/ HTTP/1.1\r\n",
            "CONNECT a:443 HTTP/1.1\r\n", "chunked", "HTTP/1.0", "HTTP/2.0", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
            "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "\u00ff", "\u0080", "%00", "[::1]", "999.1.1.1");

    static Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(1, 16), Arbitraries.integers().between(0, TOKENS.size() - 1),
                Arbitraries.bytes()).as(Mutation::new);
    }

    static byte[] apply(byte[] message, List<Mutation> mutations) {
        byte[] result = message;
        for (Mutation mutation : mutations) {
            result = mutation.apply(result);
        }
        return result;
    }

    byte[] apply(byte[] message) {
        int position = (int) Math.min(message.length, Math.floor(at * (message.length + 1)));
        int end = Math.min(message.length, position + length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
        out.write(message, 0, position);
        switch (kind) {
            case OVERWRITE -> {
                if (position < message.length) {
                    out.write(value);
                    out.write(message, position + 1, message.length - position - 1);
                    return out.toByteArray();
                }
                out.write(value);
            }
            case INSERT -> out.writeBytes(TOKENS.get(token).getBytes(StandardCharsets.ISO_8859_1));
            case DELETE -> {
                out.write(message, end, message.length - end);
                return out.toByteArray();
            }
            case DUPLICATE -> out.writeBytes(Arrays.copyOfRange(message, position, end));
            default -> throw new IllegalStateException("kind: " + kind);
        }
        out.write(message, position, message.length - position);
        return out.toByteArray();
    }
}
