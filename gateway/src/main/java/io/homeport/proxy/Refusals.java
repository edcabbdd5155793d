package io.homeport.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Where every refused request is recorded and its answer made: an access-log line and {@code
 * homeport_requests_refused_total{reason}}, and a generated request id that the error body carries,
 * so that a client's report of a 400 can be found in the log. Implemented by {@link ProxyContext}.
 */
@FunctionalInterface
public interface Refusals {

    /**
     * Records a refusal on {@code channel}; returns its request id.
     *
     * @param method the request's method, or null when the head could not be read
     * @param target the request target, or null when the head could not be read
     */
    String record(Channel channel, Refusal reason, int status, String error, String method, String target);

    /** Records nothing: for handlers tested on their own. */
    Refusals UNRECORDED = (channel, reason, status, error, method, target) -> ForwardedHeaders.requestId((String) null);

    /** Records the refusal and makes its answer: the JSON error with the request id, and the connection closes. */
    default FullHttpResponse answer(Channel channel, Refusal reason, HttpResponseStatus status, String error, String method,
            String target) {
        String requestId = record(channel, reason, status.code(), error, method, target);
        FullHttpResponse response = ErrorResponses.of(channel.alloc(), status, error, requestId);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** As {@link #answer}, for a request whose head could not be read. */
    default FullHttpResponse answer(Channel channel, Refusal reason, HttpResponseStatus status, String error) {
        return answer(channel, reason, status, error, null, null);
    }
}
