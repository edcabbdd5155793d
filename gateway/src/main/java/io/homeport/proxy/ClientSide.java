package io.homeport.proxy;

import io.netty.handler.codec.http.FullHttpResponse;

/**
 * What the forwarding core asks of the framing that reads requests and writes answers on a client
 * connection: {@link ProxyHandler} (Netty's HTTP codec, HTTP/2 streams) or the direct HTTP/1.1 path.
 */
public interface ClientSide {

    /** Writes and flushes the gateway's own answer to {@code exchange}, in the framing's representation. */
    void writeAnswer(Exchange exchange, FullHttpResponse response);

    /** The request head went upstream and its body is still to come: read its first chunk. */
    void readRequestBody(Exchange exchange);

    /** The exchange ended: read the next request, or with {@code close} end the connection once its answer is flushed. */
    void exchangeEnded(Exchange exchange, boolean close);
}
