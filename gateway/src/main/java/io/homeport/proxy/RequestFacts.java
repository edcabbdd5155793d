package io.homeport.proxy;

import java.net.InetAddress;

/**
 * What a framing reads from a request head, once, for the forwarding core to decide and log it:
 * the same facts whether the head came through Netty's decoder or straight from the wire bytes.
 *
 * @param peer whoever sent the request to the gateway: the socket's peer, or a PROXY header's source
 * @param peerSource where {@code peer} came from
 * @param forwardedFor every X-Forwarded-For field joined, or null
 * @param forwarded every Forwarded field joined, or null
 * @param userId the identity header's value when the rules pin users, or null
 * @param host the Host without its port, lower case, or null
 * @param path the request target's path (origin-form, without the query)
 * @param method the request method
 * @param requestId the client's sane X-Request-Id, or a new one
 * @param closes the client asked for the connection to end after this answer
 * @param replayable the request has no body: it may be sent again on a fresh connection
 */
public record RequestFacts(
        InetAddress peer,
        ClientIp peerSource,
        String forwardedFor,
        String forwarded,
        String userId,
        String host,
        String path,
        String method,
        String requestId,
        boolean closes,
        boolean replayable) {}
