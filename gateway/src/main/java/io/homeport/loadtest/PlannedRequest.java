package io.homeport.loadtest;

/**
 * A request as the load model planned it: who sends it and when it was meant to start. Latency is
 * measured from {@code intendedStartNanos}, not from when a connection got round to sending it.
 */
record PlannedRequest(long intendedStartNanos, Client client) {}
