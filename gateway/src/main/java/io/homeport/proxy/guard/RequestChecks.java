package io.homeport.proxy.guard;

import io.homeport.proxy.Refusal;
import io.homeport.proxy.RequestRejectedException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The checks of a decoded request head that the HTTP decoder does not make: message framing that
 * could be read two ways (request smuggling), a request target this gateway does not serve (open
 * proxy), and the header-count limit. Pure functions; docs/hostile-input.md says why each exists.
 */
public final class RequestChecks {

    /** What the gateway forwards; a 405 for CONNECT lists it. */
    public static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    private static final int SHOWN_CHARS = 64;

    private RequestChecks() {}

    /**
     * The refusal of this request, or null when it may be forwarded.
     *
     * @param raw the head as it was on the wire, or null when it was not scanned
     */
    public static RequestRejectedException check(HttpRequest request, RawHead raw, int maxHeaderCount) {
        return check(request, raw, maxHeaderCount, Long.MAX_VALUE);
    }

    /** {@link #check(HttpRequest, RawHead, int)}, and a declared body larger than {@code maxBodyBytes} gets 413. */
    public static RequestRejectedException check(HttpRequest request, RawHead raw, int maxHeaderCount, long maxBodyBytes) {
        return check(request, raw, maxHeaderCount, maxBodyBytes, false);
    }

    /** The same; with {@code rejectUnderscores}, a header name with an underscore gets 400. */
    public static RequestRejectedException check(HttpRequest request, RawHead raw, int maxHeaderCount, long maxBodyBytes,
            boolean rejectUnderscores) {
        RequestRejectedException refusal = checkHead(request, raw, maxHeaderCount);
        if (refusal == null && rejectUnderscores) {
            for (String name : request.headers().names()) {
                if (name.indexOf('_') >= 0) {
                    refusal = badRequest(Refusal.UNDERSCORE_HEADER, "header field name with an underscore: " + shown(name)
                            + " (proxy.headers_with_underscores: reject)");
                    break;
                }
            }
        }
        if (refusal == null) {
            long declared = HttpUtil.getContentLength(request, -1L);
            if (declared > maxBodyBytes) {
                refusal = refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Refusal.BODY_TOO_LARGE, "request body of " + declared
                        + " bytes (expected: at most " + maxBodyBytes + ", proxy.max_request_body_bytes)");
            }
        }
        return refusal;
    }

    private static RequestRejectedException checkHead(HttpRequest request, RawHead raw, int maxHeaderCount) {
        HttpVersion version = request.protocolVersion();
        if (raw != null && raw.versionNotUpperCase()) {
            return badRequest(Refusal.VERSION, "HTTP version in lower case (the HTTP-name is case-sensitive; expected: HTTP/1.1 or HTTP/1.0)");
        }
        if (!version.protocolName().equals("HTTP") || version.majorVersion() != 1 || version.minorVersion() > 1) {
            return refuse(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, Refusal.VERSION, "HTTP version " + shown(version.text())
                    + " not supported (expected: HTTP/1.0 or HTTP/1.1)");
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaderCount) {
            return refuse(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, Refusal.HEAD_TOO_LARGE,
                    "too many header fields: " + headers.size() + " (expected: at most " + maxHeaderCount + ")");
        }
        RequestRejectedException refusal = framing(request, raw);
        if (refusal == null) {
            refusal = host(request);
        }
        return refusal == null ? target(request) : refusal;
    }

    /** Exactly one way to find where the body ends, or the request is refused. */
    static RequestRejectedException framing(HttpRequest request, RawHead raw) {
        HttpHeaders headers = request.headers();
        List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (raw != null && raw.obsFold()) {
            return badRequest(Refusal.FRAMING, "obsolete line folding in the request head");
        }
        if (!encodings.isEmpty() && (headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                || (raw != null && raw.contentLengthFields() > 0))) {
            return badRequest(Refusal.FRAMING, "both Content-Length and Transfer-Encoding");
        }
        if (encodings.size() > 1) {
            return badRequest(Refusal.FRAMING, "more than one Transfer-Encoding field");
        }
        if (encodings.size() == 1) {
            if (request.protocolVersion().minorVersion() == 0) {
                return badRequest(Refusal.FRAMING, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!encodings.get(0).trim().equalsIgnoreCase("chunked")) {
                return badRequest(Refusal.FRAMING, "Transfer-Encoding: " + shown(encodings.get(0)) + " (expected: chunked)");
            }
        }
        if (headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY1) || headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY2)) {
            return badRequest(Refusal.FRAMING, "obsolete WebSocket handshake (draft hixie-76)"); // the decoder gives it an implied body
        }
        if (raw != null && raw.framing() == RawHead.Framing.UNKNOWN) {
            return badRequest(Refusal.FRAMING, "ambiguous message framing");
        }
        return null;
    }

    /** One Host, of authority characters; required in HTTP/1.1. */
    static RequestRejectedException host(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return badRequest(Refusal.HOST, "more than one Host field");
        }
        if (hosts.isEmpty()) {
            return request.protocolVersion().minorVersion() == 0 ? null : badRequest(Refusal.HOST, "missing Host (required in HTTP/1.1)");
        }
        String host = hosts.get(0);
        for (int i = 0; i < host.length(); i++) {
            if (!isHostChar(host.charAt(i))) {
                return badRequest(Refusal.HOST, "invalid Host: " + shown(host));
            }
        }
        return null;
    }

    /** The characters a Host value may hold: an authority's (RFC 3986), percent-encoding included. */
    public static boolean isHostChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
    }

    /** Origin-form; {@code *} for OPTIONS; absolute-form only for the Host it names. Never CONNECT. */
    static RequestRejectedException target(HttpRequest request) {
        if (HttpMethod.CONNECT.equals(request.method())) {
            return new RequestRejectedException(HttpResponseStatus.METHOD_NOT_ALLOWED, Refusal.TARGET,
                    "CONNECT not allowed: this gateway is not a forward proxy", ALLOWED_METHODS);
        }
        String uri = request.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return badRequest(Refusal.TARGET, "invalid character in the request target (expected: visible ASCII, percent-encoded)");
            }
        }
        if (uri.startsWith("/")) {
            return null;
        }
        if (uri.equals("*")) {
            return HttpMethod.OPTIONS.equals(request.method()) ? null : badRequest(Refusal.TARGET, "request target * is for OPTIONS only");
        }
        int schemeEnd = uri.indexOf("://");
        String scheme = schemeEnd > 0 ? uri.substring(0, schemeEnd) : "";
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return badRequest(Refusal.TARGET, "invalid request target: " + shown(uri) + " (expected: /path or http://host/path)");
        }
        int authorityEnd = schemeEnd + 3;
        while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = uri.substring(schemeEnd + 3, authorityEnd);
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (authority.isEmpty() || host == null || !authority.equalsIgnoreCase(host)) {
            return refuse(HttpResponseStatus.MISDIRECTED_REQUEST, Refusal.TARGET, "misdirected request: " + shown(authority)
                    + " is not this request's Host (the gateway is not a forward proxy)");
        }
        return null;
    }

    private static RequestRejectedException badRequest(Refusal refusal, String reason) {
        return refuse(HttpResponseStatus.BAD_REQUEST, refusal, reason);
    }

    private static RequestRejectedException refuse(HttpResponseStatus status, Refusal refusal, String reason) {
        return new RequestRejectedException(status, refusal, reason);
    }

    /** Client text in an answer, cut short: an error body must not echo a 16 KiB header back. */
    private static String shown(String text) {
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
    }
}
