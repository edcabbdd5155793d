package io.homeport.proxy;

/**
 * Why the gateway refused a request before deciding it: the {@code reason} of its access-log line
 * and of {@code homeport_requests_refused_total}. A small fixed set, so the metric's labels stay
 * bounded whatever clients send; the access log's {@code error} has the particulars.
 */
public enum Refusal {
    /** The HTTP decoder could not read it: a garbage request line, an invalid header line. */
    MALFORMED("malformed"),
    /** Message framing that could be read two ways (request smuggling), chunked framing included. */
    FRAMING("framing"),
    /** An HTTP version other than HTTP/1.0 or HTTP/1.1, or one not in upper case. */
    VERSION("version"),
    /** A request line or head larger than the limits, or too many header fields. */
    HEAD_TOO_LARGE("head_too_large"),
    /** A body larger than {@code proxy.max_request_body_bytes}, declared in its head. */
    BODY_TOO_LARGE("body_too_large"),
    /** A missing, repeated or invalid Host. */
    HOST("host"),
    /** A request target the gateway does not serve: CONNECT, a foreign authority, invalid characters. */
    TARGET("target"),
    /** A header field name with an underscore, under {@code proxy.headers_with_underscores: reject}. */
    UNDERSCORE_HEADER("underscore_header"),
    /** No complete request head within {@code proxy.request_header_timeout}. */
    HEAD_TIMEOUT("head_timeout");

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    /** The metric label and access-log reason. */
    public String label() {
        return label;
    }
}
