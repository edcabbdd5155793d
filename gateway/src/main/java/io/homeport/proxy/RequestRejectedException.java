package io.homeport.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request head the gateway refuses to forward, carried as the request's decoder failure so that
 * {@link MalformedRequestHandler} answers it in order and closes the connection. Cheap: no stack trace.
 */
public final class RequestRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final Refusal refusal;
    private final String allow;

    public RequestRejectedException(HttpResponseStatus status, Refusal refusal, String reason) {
        this(status, refusal, reason, null);
    }

    /** @param allow the {@code Allow} header of a 405: the methods that would have been accepted */
    public RequestRejectedException(HttpResponseStatus status, Refusal refusal, String reason, String allow) {
        super(reason, null, false, false);
        this.status = status;
        this.refusal = refusal;
        this.allow = allow;
    }

    /** Why, as the metric label and access-log reason. */
    public Refusal refusal() {
        return refusal;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The {@code Allow} header of a 405, or null. */
    public String allow() {
        return allow;
    }
}
