package io.homeport.proxy;

/**
 * The gateway is shutting down: from now on every answer tells its client to close the connection
 * ({@code Connection: close}), so keep-alive clients reconnect (through the load balancer, to a
 * gateway that stays) instead of meeting a closed socket; connections idle between requests are
 * closed at once, and HTTP/2 connections get GOAWAY.
 */
public final class Drain {

    /** The user event each client connection's pipeline gets when the drain starts. */
    public enum Event { STARTED }

    private volatile boolean draining;

    public void start() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }
}
