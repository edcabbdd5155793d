package io.homeport.proxy;

import io.homeport.routing.IpAddresses;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Header rewriting between client and upstream (SPEC §4): hop-by-hop out, forwarding facts in. */
public final class ForwardedHeaders {

    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_HOMEPORT_COUNTRY = AsciiString.cached("x-homeport-country");
    public static final AsciiString X_HOMEPORT_REGION = AsciiString.cached("x-homeport-region");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    /** Sent upstream as X-Homeport-Country when no country is known. */
    public static final String UNKNOWN_COUNTRY = "XX";

    /** {@link HeaderPolicy}'s fields, by rule. */
    private static final List<AsciiString> HOP_BY_HOP = HeaderPolicy.names(HeaderPolicy.Rule.DROP);
    private static final List<AsciiString> REPLACED = HeaderPolicy.names(HeaderPolicy.Rule.REPLACE);
    private static final List<AsciiString> TRUSTED_ONLY = HeaderPolicy.names(HeaderPolicy.Rule.TRUSTED_ONLY);

    private static final int MAX_REQUEST_ID_LENGTH = 128;

    private ForwardedHeaders() {}

    /**
     * Headers a Connection header may not remove: the message framing and the target. Dropping
     * Content-Length because a sender named it would let the body be read as a second request.
     */
    private static final java.util.Set<String> NEVER_HOP_BY_HOP = java.util.Set.of("content-length", "host");

    /** Removes hop-by-hop headers, including those the Connection header names (except framing). */
    public static void stripHopByHop(HttpHeaders headers) {
        List<String> naming = null; // Connection values that name headers: rare, so made only when met
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.CONNECTION); values.hasNext(); ) {
                String value = values.next();
                if (!isPlainConnectionOption(value)) {
                    (naming == null ? naming = new ArrayList<>(2) : naming).add(value);
                }
            }
        }
        if (naming != null) { // removed after the iteration, which must not see the headers change
            for (String connection : naming) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !NEVER_HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                        headers.remove(name);
                    }
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** "keep-alive" or "close": names no header beyond the standard hop-by-hop ones (the usual case). */
    private static boolean isPlainConnectionOption(String value) {
        return HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value) || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value);
    }

    /** Whether these are a WebSocket opening handshake's headers: {@code Upgrade: websocket}, {@code Connection: upgrade}. */
    public static boolean isWebSocketUpgrade(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Puts back the two hop-by-hop headers a WebSocket handshake needs on the next hop too. */
    static void keepWebSocketUpgrade(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /** The client's request id when it sent a sane one, else a new random one. */
    public static String requestId(HttpHeaders headers) {
        return requestId(headers.get(X_REQUEST_ID));
    }

    /** {@code given} (a client's X-Request-Id, or null) when it is sane, else a new random id. */
    public static String requestId(String given) {
        if (given != null && !given.isEmpty() && given.length() <= MAX_REQUEST_ID_LENGTH && isVisibleAscii(given)) {
            return given;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] digits = ID_DIGITS.get();
        hex(random.nextLong(), digits, 0);
        hex(random.nextLong(), digits, 16);
        return new String(digits, java.nio.charset.StandardCharsets.ISO_8859_1); // a straight copy into a Latin-1 string
    }

    /** Per thread: the new id's digits before the string copies them (one array less per request). */
    private static final FastThreadLocal<byte[]> ID_DIGITS =
            new FastThreadLocal<>() {
                @Override
                protected byte[] initialValue() {
                    return new byte[32];
                }
            };

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static void hex(long value, byte[] into, int offset) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    /**
     * Removes every field whose name has an underscore ({@code proxy.headers_with_underscores: drop});
     * returns how many. A backend that reads {@code _} as {@code -} must not see {@code X_Forwarded_For}.
     */
    public static int dropNamesWithUnderscores(HttpHeaders headers) {
        java.util.List<String> names = null;
        for (java.util.Map.Entry<String, String> field : headers) {
            if (field.getKey().indexOf('_') >= 0) {
                if (names == null) {
                    names = new java.util.ArrayList<>();
                }
                names.add(field.getKey());
            }
        }
        if (names == null) {
            return 0;
        }
        names.forEach(headers::remove);
        return names.size();
    }

    /**
     * The hops a trusted peer sent in Forwarded alone, as X-Forwarded-For's list: a client learned
     * from Forwarded reaches the backend's X-Forwarded-For like one learned from X-Forwarded-For.
     */
    public static String priorHopsFromForwarded(String forwarded) {
        return ClientAddressResolver.forwardedChain(forwarded);
    }

    /**
     * Rewrites a client's request headers, in place, into the upstream request's, by {@link
     * HeaderPolicy}: hop-by-hop fields removed, the gateway's own written after the client's (in the
     * direct path's order), forwarding facts kept only from a trusted peer, so a client cannot
     * plant a fake hop.
     */
    public static void forUpstream(
            HttpHeaders headers,
            InetAddress peer,
            boolean peerTrusted,
            boolean tls,
            String requestId,
            String country,
            String region,
            boolean chunkedBody) {
        String originalHost = headers.get(HttpHeaderNames.HOST);
        boolean webSocket = isWebSocketUpgrade(headers);
        // Every X-Forwarded-For field is one list (RFC 9110 §5.3): all hops are kept, not only the first field's.
        String priorHops = !peerTrusted ? null
                : headers.contains(X_FORWARDED_FOR) ? String.join(",", headers.getAll(X_FORWARDED_FOR))
                : priorHopsFromForwarded(headers.contains(FORWARDED) ? String.join(",", headers.getAll(FORWARDED)) : null);
        stripHopByHop(headers);
        for (AsciiString name : REPLACED) {
            headers.remove(name);
        }
        if (!peerTrusted) {
            for (AsciiString name : TRUSTED_ONLY) {
                headers.remove(name);
            }
        }
        if (webSocket) {
            keepWebSocketUpgrade(headers); // the one upgrade passed through: see WebSocketTunnel
        }
        String peerText = IpAddresses.toText(peer);
        headers.add(X_FORWARDED_FOR, priorHops == null || priorHops.isBlank() ? peerText : priorHops + ", " + peerText);
        if (!headers.contains(X_FORWARDED_PROTO)) {
            headers.add(X_FORWARDED_PROTO, tls ? "https" : "http");
        }
        if (!headers.contains(X_FORWARDED_HOST) && originalHost != null) {
            headers.add(X_FORWARDED_HOST, originalHost);
        }
        headers.add(X_REQUEST_ID, requestId);
        headers.add(X_HOMEPORT_COUNTRY, country == null ? UNKNOWN_COUNTRY : country);
        if (region != null) { // null: the request is refused before it goes anywhere
            headers.add(X_HOMEPORT_REGION, region);
        }
        if (chunkedBody) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
    }

    private static boolean isVisibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

}
