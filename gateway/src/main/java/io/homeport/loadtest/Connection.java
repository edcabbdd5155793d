package io.homeport.loadtest;

/**
 * One keep-alive connection to the gateway, carrying one request at a time. It tells the {@link
 * RequestDispatcher} when it is ready for a request and how each request ended.
 */
interface Connection {

    /** Sends {@code request}; called by the dispatcher only while this connection is ready. */
    void send(PlannedRequest request);
}
