package io.homeport.proxy.h1;

import io.homeport.proxy.ForwardedHeaders;
import io.homeport.proxy.HeaderPolicy;
import io.homeport.proxy.ProxyHandler;
import io.homeport.proxy.ProxySettings;
import io.homeport.proxy.guard.RequestChecks;
import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One request head read straight from the wire bytes, for the direct HTTP/1.1 path. It accepts
 * only the plain requests that path forwards: {@code GET}, {@code HEAD}, {@code DELETE} or
 * {@code OPTIONS} of an origin-form target, HTTP/1.1, CRLF line ends, token names, visible-ASCII
 * values, exactly one valid Host, no body ({@code Content-Length: 0} at most), and no
 * Transfer-Encoding, Expect, Upgrade or Connection option that names a header. Anything else is
 * {@link Outcome#NOT_PLAIN}: the connection then goes to the full decoder and its guards, which
 * answer it exactly as they answer every request (docs/hostile-input.md). Being strict here
 * costs nothing: whatever this parser doubts, the full path judges.
 *
 * <p>Reused for every head of a connection; not thread-safe. Header fields are kept as offsets
 * into the parsed bytes, classified once, so the upstream head can be written without a second pass.
 */
final class RequestHead {

    enum Outcome { COMPLETE, INCOMPLETE, NOT_PLAIN }

    /** What the forwarder does with a field. */
    static final byte COPY = 0;
    static final byte DROP = 1;
    /** Copied only when the peer is a trusted proxy (its forwarding facts are kept). */
    static final byte COPY_IF_TRUSTED = 2;

    static final String GET = "GET";
    static final String HEAD = "HEAD";
    static final String DELETE = "DELETE";
    static final String OPTIONS = "OPTIONS";

    private static final byte[] HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private int maxRequestLineBytes;
    private int maxHeaderBytes;
    private int maxHeaderCount;

    private ProxySettings.HeadersWithUnderscores underscores = ProxySettings.HeadersWithUnderscores.DROP;

    // What the last COMPLETE parse found.
    /** Fields dropped for an underscore in their name. */
    int underscoreFields;
    int length;
    String method;
    String uri;
    int requestLineEnd;
    int fieldCount;
    int[] lineStart;
    int[] lineEnd;
    byte[] action;
    String host;
    /** {@link #host} as the decision takes it (no port, lower case). */
    String hostWithoutPort;
    String forwardedFor;
    String forwarded;
    String requestId;
    String userId;
    boolean close;
    boolean hasForwardedProto;
    boolean hasForwardedHost;
    private boolean sawContentLength;

    // The last request target and Host this parser turned into text. A connection, and mostly a
    // whole event loop, sends the same Host and often the same path again: the same bytes reuse the
    // same strings: three strings and their arrays fewer for every such request (a measured share
    // of the garbage whose collections pause the loop).
    private String lastUri;
    private String lastHost;
    private String lastHostWithoutPort;

    RequestHead(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount) {
        limits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount);
    }

    /** The limits of the next parse (the listener's): beyond them the full path answers 414 or 431. */
    /** What becomes of a field whose name has an underscore (the listener's {@code proxy.headers_with_underscores}). */
    void underscores(ProxySettings.HeadersWithUnderscores policy) {
        this.underscores = policy;
    }

    void limits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount) {
        this.maxRequestLineBytes = maxRequestLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxHeaderCount = maxHeaderCount;
        if (lineStart == null || lineStart.length < maxHeaderCount) {
            lineStart = new int[maxHeaderCount];
            lineEnd = new int[maxHeaderCount];
            action = new byte[maxHeaderCount];
        }
    }

    /** The most bytes a head this parser accepts can take. */
    int maxHeadBytes() {
        return maxRequestLineBytes + maxHeaderBytes + 2;
    }

    /**
     * Parses the head at the start of {@code b[0, end)}.
     *
     * @param identityHeader the lower-case name of the header that carries the user id, or null
     */
    Outcome parse(byte[] b, int end, byte[] identityHeader) {
        reset();
        int i = 0;
        int methodEnd = scanMethod(b, end);
        if (methodEnd < 0) {
            return methodEnd == -1 ? Outcome.INCOMPLETE : Outcome.NOT_PLAIN;
        }
        method = methodName(b, methodEnd);
        if (method == null) {
            return Outcome.NOT_PLAIN;
        }
        i = methodEnd + 1;
        int targetStart = i;
        int lineLimit = Math.min(end, maxRequestLineBytes);
        if (i >= end) {
            return Outcome.INCOMPLETE;
        }
        if (b[i] != '/') {
            return Outcome.NOT_PLAIN;
        }
        while (i < lineLimit && b[i] > ' ' && b[i] < 0x7f) {
            i++;
        }
        if (i >= lineLimit) {
            return end < maxRequestLineBytes ? Outcome.INCOMPLETE : Outcome.NOT_PLAIN;
        }
        int targetEnd = i;
        for (int k = 0; k < HTTP_1_1.length; k++, i++) {
            if (i >= end) {
                return Outcome.INCOMPLETE;
            }
            if (b[i] != HTTP_1_1[k]) {
                return Outcome.NOT_PLAIN;
            }
        }
        if (i > maxRequestLineBytes) {
            return Outcome.NOT_PLAIN;
        }
        requestLineEnd = i;
        uri = lastUri = reused(lastUri, b, targetStart, targetEnd);

        int headerLimit = Math.min(end, requestLineEnd + maxHeaderBytes + 2);
        int hosts = 0;
        while (true) {
            if (i + 1 >= headerLimit) {
                return headerLimit == end ? Outcome.INCOMPLETE : Outcome.NOT_PLAIN;
            }
            if (b[i] == '\r') {
                if (b[i + 1] != '\n') {
                    return Outcome.NOT_PLAIN;
                }
                length = i + 2;
                break;
            }
            if (fieldCount == maxHeaderCount) {
                return Outcome.NOT_PLAIN; // the full path answers 431
            }
            int start = i;
            int seen = 0; // every name byte's class OR-ed: whether the name has an underscore comes with the scan
            int kind;
            while (i < headerLimit && (kind = NAME_BYTES[b[i] & 0xff]) != 0) {
                seen |= kind;
                i++;
            }
            if (i >= headerLimit) {
                return headerLimit == end ? Outcome.INCOMPLETE : Outcome.NOT_PLAIN;
            }
            int nameEnd = i;
            if (nameEnd == start || b[i] != ':') {
                return Outcome.NOT_PLAIN; // obs-fold, a space before the colon, a bare LF: the full path judges
            }
            i++;
            while (i < headerLimit && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            int valueStart = i;
            i = skipVisibleWords(b, i, headerLimit);
            while (i < headerLimit && ((b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\t')) {
                i++;
            }
            if (i + 1 >= headerLimit) {
                return headerLimit == end ? Outcome.INCOMPLETE : Outcome.NOT_PLAIN;
            }
            if (b[i] != '\r' || b[i + 1] != '\n') {
                return Outcome.NOT_PLAIN; // a control character, obs-text, or a bare CR or LF
            }
            int valueEnd = i;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            i += 2;
            int field = fieldCount++;
            lineStart[field] = start;
            lineEnd[field] = i;
            if (identityHeader != null && userId == null && equalsLowerCase(b, start, nameEnd, identityHeader)) {
                userId = text(b, valueStart, valueEnd);
            }
            byte what = classify(b, start, nameEnd, valueStart, valueEnd);
            if (what < 0) {
                return Outcome.NOT_PLAIN;
            }
            if ((seen & UNDERSCORE) != 0 && underscores != ProxySettings.HeadersWithUnderscores.ALLOW) {
                if (underscores == ProxySettings.HeadersWithUnderscores.REJECT) {
                    return Outcome.NOT_PLAIN; // the full path answers 400
                }
                what = DROP;
                underscoreFields++;
            }
            if (what == HOST_FIELD) {
                if (++hosts > 1 || !isValidHost(b, valueStart, valueEnd)) {
                    return Outcome.NOT_PLAIN;
                }
                String last = lastHost;
                host = reused(last, b, valueStart, valueEnd);
                if (host != last) {
                    lastHost = host;
                    lastHostWithoutPort = ProxyHandler.hostWithoutPort(host);
                }
                hostWithoutPort = lastHostWithoutPort;
                what = COPY;
            }
            action[field] = what;
        }
        return hosts == 1 ? Outcome.COMPLETE : Outcome.NOT_PLAIN;
    }

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long EVERY_HIGH_BIT = 0x8080_8080_8080_8080L;

    /**
     * Skips whole 8-byte words of {@code b[i, limit)} whose bytes are all visible ASCII or space
     * (0x20 to 0x7e) and returns where it stopped: the bulk of a long value (a bearer token,
     * cookies) is read a word at a time instead of a byte at a time. It only skips bytes the byte
     * loop after it would accept; that loop judges the rest exactly (a tab, the CR, anything else).
     */
    static int skipVisibleWords(byte[] b, int i, int limit) {
        while (i <= limit - 8) {
            long word = (long) WORDS.get(b, i);
            // A byte below 0x20 has no high bit after adding 0x60; 0x7f has one after adding 1; a
            // byte with a high bit has one already (its sums may carry, but the word is refused anyway).
            if (((word | word + 0x0101_0101_0101_0101L) & EVERY_HIGH_BIT) != 0
                    || (word + 0x6060_6060_6060_6060L & EVERY_HIGH_BIT) != EVERY_HIGH_BIT) {
                break;
            }
            i += 8;
        }
        return i;
    }

    private void reset() {
        underscoreFields = 0;
        length = 0;
        method = null;
        uri = null;
        fieldCount = 0;
        host = null;
        hostWithoutPort = null;
        forwardedFor = null;
        forwarded = null;
        requestId = null;
        userId = null;
        close = false;
        hasForwardedProto = false;
        hasForwardedHost = false;
        sawContentLength = false;
    }

    /** The index of the space after the method; -1 when more bytes are needed; -2 for no plain method. */
    private static int scanMethod(byte[] b, int end) {
        int limit = Math.min(end, 8);
        for (int i = 0; i < limit; i++) {
            byte c = b[i];
            if (c == ' ') {
                return i == 0 ? -2 : i;
            }
            if (c < 'A' || c > 'Z') {
                return -2;
            }
        }
        return end < 8 ? -1 : -2;
    }

    private static String methodName(byte[] b, int length) {
        return switch (length) {
            case 3 -> b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? GET : null;
            case 4 -> b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' ? HEAD : null;
            case 6 -> matches(b, 0, DELETE) ? DELETE : null;
            case 7 -> matches(b, 0, OPTIONS) ? OPTIONS : null;
            default -> null;
        };
    }

    private static final byte HOST_FIELD = 3;
    private static final byte NOT_PLAIN = -1;

    /**
     * What to do with one field: whether it keeps the head plain, the facts the decision and the
     * upstream head need, then {@link HeaderPolicy}'s rule for its name.
     */
    private byte classify(byte[] b, int start, int nameEnd, int valueStart, int valueEnd) {
        switch (nameEnd - start) {
            case 4:
                if (equalsLowerCase(b, start, nameEnd, Names.HOST)) {
                    return HOST_FIELD;
                }
                break;
            case 6:
                if (equalsLowerCase(b, start, nameEnd, Names.EXPECT)) {
                    return NOT_PLAIN;
                }
                break;
            case 7:
                if (equalsLowerCase(b, start, nameEnd, Names.UPGRADE)) {
                    return NOT_PLAIN;
                }
                break;
            case 9:
                if (equalsLowerCase(b, start, nameEnd, Names.FORWARDED)) {
                    forwarded = joined(forwarded, b, valueStart, valueEnd);
                }
                break;
            case 10:
                if (equalsLowerCase(b, start, nameEnd, Names.CONNECTION) && !connectionOptions(b, valueStart, valueEnd)) {
                    return NOT_PLAIN; // it names a field to strip: the full path does that
                }
                break;
            case 12:
                if (requestId == null && equalsLowerCase(b, start, nameEnd, Names.X_REQUEST_ID)) {
                    requestId = text(b, valueStart, valueEnd);
                }
                break;
            case 14:
                if (equalsLowerCase(b, start, nameEnd, Names.CONTENT_LENGTH)) {
                    if (sawContentLength) {
                        return NOT_PLAIN; // the full path refuses two, even equal ones
                    }
                    sawContentLength = true;
                    return valueEnd - valueStart == 1 && b[valueStart] == '0' ? COPY : NOT_PLAIN;
                }
                break;
            case 15:
                if (equalsLowerCase(b, start, nameEnd, Names.X_FORWARDED_FOR)) {
                    forwardedFor = joined(forwardedFor, b, valueStart, valueEnd);
                }
                break;
            case 16:
                if (equalsLowerCase(b, start, nameEnd, Names.X_FORWARDED_HOST)) {
                    hasForwardedHost = true;
                }
                break;
            case 17:
                if (equalsLowerCase(b, start, nameEnd, Names.X_FORWARDED_PROTO)) {
                    hasForwardedProto = true;
                } else if (equalsLowerCase(b, start, nameEnd, Names.TRANSFER_ENCODING)) {
                    return NOT_PLAIN;
                }
                break;
            case 18:
                if (equalsLowerCase(b, start, nameEnd, Names.SEC_WEBSOCKET_KEY1)
                        || equalsLowerCase(b, start, nameEnd, Names.SEC_WEBSOCKET_KEY2)) {
                    return NOT_PLAIN;
                }
                break;
            default:
                break;
        }
        return policyAction(b, start, nameEnd);
    }

    /** {@link HeaderPolicy}'s names as bytes, by length, and this writer's action for each. */
    private static final byte[][][] POLICY_NAMES = new byte[32][][];
    private static final byte[][] POLICY_ACTIONS = new byte[32][];

    static {
        HeaderPolicy.table().forEach((name, rule) -> {
            int length = name.length();
            byte action = switch (rule) {
                case COPY -> COPY;
                case DROP, REPLACE -> DROP; // a replaced field is written anew after the client's
                case TRUSTED_ONLY -> COPY_IF_TRUSTED;
            };
            byte[][] names = POLICY_NAMES[length] == null ? new byte[0][] : POLICY_NAMES[length];
            byte[] actions = POLICY_ACTIONS[length] == null ? new byte[0] : POLICY_ACTIONS[length];
            POLICY_NAMES[length] = java.util.Arrays.copyOf(names, names.length + 1);
            POLICY_NAMES[length][names.length] = Names.ascii(name);
            POLICY_ACTIONS[length] = java.util.Arrays.copyOf(actions, actions.length + 1);
            POLICY_ACTIONS[length][actions.length] = action;
        });
    }

    private static byte policyAction(byte[] b, int start, int end) {
        int length = end - start;
        byte[][] names = length < POLICY_NAMES.length ? POLICY_NAMES[length] : null;
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (equalsLowerCase(b, start, end, names[i])) {
                    return POLICY_ACTIONS[length][i];
                }
            }
        }
        return COPY;
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] X_FORWARDED_FOR_FIELD = Names.ascii("x-forwarded-for: ");
    private static final byte[] X_FORWARDED_PROTO_HTTP = Names.ascii("x-forwarded-proto: http\r\n");
    private static final byte[] X_FORWARDED_PROTO_HTTPS = Names.ascii("x-forwarded-proto: https\r\n");
    private static final byte[] X_FORWARDED_HOST_FIELD = Names.ascii("x-forwarded-host: ");
    private static final byte[] X_REQUEST_ID_FIELD = Names.ascii("x-request-id: ");
    private static final byte[] X_HOMEPORT_COUNTRY_FIELD = Names.ascii("x-homeport-country: ");

    /**
     * The wire writer of {@link HeaderPolicy} (the Netty-headers writer is {@link
     * ForwardedHeaders#forUpstream}): the request line and the client's fields of the last parsed
     * head as they came, minus what the policy drops, plus the gateway's own fields in the policy's
     * order — all but the serving region and the final CRLF, which follow once a region is chosen.
     */
    void writeUpstream(byte[] b, ByteBuf out, String peerText, boolean peerTrusted, boolean tls, String requestId,
            String country) {
        out.writeBytes(b, 0, requestLineEnd);
        for (int field = 0; field < fieldCount; field++) {
            byte what = action[field];
            if (what == COPY || (what == COPY_IF_TRUSTED && peerTrusted)) {
                out.writeBytes(b, lineStart[field], lineEnd[field] - lineStart[field]);
            }
        }
        out.writeBytes(X_FORWARDED_FOR_FIELD);
        String priorHops = !peerTrusted ? null
                : forwardedFor != null ? forwardedFor : ForwardedHeaders.priorHopsFromForwarded(forwarded);
        if (priorHops != null && !priorHops.isBlank()) {
            out.writeCharSequence(priorHops, StandardCharsets.ISO_8859_1);
            out.writeByte(',').writeByte(' ');
        }
        out.writeCharSequence(peerText, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
        if (!peerTrusted || !hasForwardedProto) {
            out.writeBytes(tls ? X_FORWARDED_PROTO_HTTPS : X_FORWARDED_PROTO_HTTP);
        }
        if (!peerTrusted || !hasForwardedHost) {
            out.writeBytes(X_FORWARDED_HOST_FIELD);
            out.writeCharSequence(host, StandardCharsets.ISO_8859_1);
            out.writeBytes(CRLF);
        }
        out.writeBytes(X_REQUEST_ID_FIELD);
        out.writeCharSequence(requestId, StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF);
        out.writeBytes(X_HOMEPORT_COUNTRY_FIELD);
        out.writeCharSequence(country == null ? ForwardedHeaders.UNKNOWN_COUNTRY : country, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
    }

    /** Connection options that are only {@code keep-alive} and {@code close}; sets {@link #close}. */
    private boolean connectionOptions(byte[] b, int start, int end) {
        int i = start;
        while (i < end) {
            while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == ',')) {
                i++;
            }
            int tokenStart = i;
            while (i < end && b[i] != ',' && b[i] != ' ' && b[i] != '\t') {
                i++;
            }
            if (i == tokenStart) {
                break;
            }
            if (equalsLowerCase(b, tokenStart, i, Names.CLOSE)) {
                close = true;
            } else if (!equalsLowerCase(b, tokenStart, i, Names.KEEP_ALIVE)) {
                return false; // it names a header to strip: the full path handles that
            }
        }
        return true;
    }

    /** Netty's getAll-then-join: several fields of one name become one comma-separated value. */
    private static String joined(String prior, byte[] b, int start, int end) {
        String value = text(b, start, end);
        return prior == null ? value : prior + "," + value;
    }

    /** The characters the full path allows in Host. */
    private static boolean isValidHost(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!RequestChecks.isHostChar(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 tchar, by table: a field name's '-' no longer takes a search of the punctuation. */
    static boolean isTokenChar(byte c) {
        return NAME_BYTES[c & 0xff] != 0;
    }

    /** A field name's bytes by class: 0 not a token character, {@link #TOKEN}, or {@link #UNDERSCORE} (also a token character). */
    private static final byte[] NAME_BYTES = new byte[256];
    private static final byte TOKEN = 1;
    private static final byte UNDERSCORE = 2;

    static {
        for (int c = 0; c < 128; c++) {
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            NAME_BYTES[c] = c == '_' ? UNDERSCORE : token ? TOKEN : 0;
        }
    }

    static boolean equalsLowerCase(byte[] b, int start, int end, byte[] lower) {
        if (end - start != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte c = b[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] b, int start, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (b[start + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code last} when it holds exactly the characters of {@code b[start, end)}, else a new string of them. */
    static String reused(String last, byte[] b, int start, int end) {
        int length = end - start;
        if (last != null && last.length() == length) {
            int i = 0;
            while (i < length && last.charAt(i) == (b[start + i] & 0xff)) {
                i++;
            }
            if (i == length) {
                return last;
            }
        }
        return text(b, start, end);
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Lower-case header names and tokens, as bytes. */
    static final class Names {
        static final byte[] HOST = ascii("host");
        static final byte[] TE = ascii("te");
        static final byte[] EXPECT = ascii("expect");
        static final byte[] TRAILER = ascii("trailer");
        static final byte[] UPGRADE = ascii("upgrade");
        static final byte[] FORWARDED = ascii("forwarded");
        static final byte[] CONNECTION = ascii("connection");
        static final byte[] KEEP_ALIVE = ascii("keep-alive");
        static final byte[] CLOSE = ascii("close");
        static final byte[] X_REQUEST_ID = ascii("x-request-id");
        static final byte[] CONTENT_LENGTH = ascii("content-length");
        static final byte[] X_FORWARDED_FOR = ascii("x-forwarded-for");
        static final byte[] X_FORWARDED_HOST = ascii("x-forwarded-host");
        static final byte[] PROXY_CONNECTION = ascii("proxy-connection");
        static final byte[] X_FORWARDED_PROTO = ascii("x-forwarded-proto");
        static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
        static final byte[] X_HOMEPORT_REGION = ascii("x-homeport-region");
        static final byte[] X_HOMEPORT_COUNTRY = ascii("x-homeport-country");
        static final byte[] PROXY_AUTHENTICATE = ascii("proxy-authenticate");
        static final byte[] SEC_WEBSOCKET_KEY1 = ascii("sec-websocket-key1");
        static final byte[] SEC_WEBSOCKET_KEY2 = ascii("sec-websocket-key2");
        static final byte[] PROXY_AUTHORIZATION = ascii("proxy-authorization");

        static byte[] ascii(String text) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }

        private Names() {}
    }
}
