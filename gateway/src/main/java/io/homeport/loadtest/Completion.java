package io.homeport.loadtest;

/**
 * How one request ended: its outcome, the HTTP status (0 without a response), the region that
 * served it from the {@code X-Homeport-Region} header (null without one), and when it ended.
 */
record Completion(PlannedRequest request, Outcome outcome, int status, String servedRegion, long completedNanos) {

    /** Every request ends in exactly one of these. */
    enum Outcome {
        /** A 2xx response. */
        OK,
        /** A response with any other status. */
        HTTP_ERROR,
        /** No complete response within the timeout, or waited in the queue longer than the timeout. */
        TIMEOUT,
        /** The connection failed or closed before the response was complete. */
        CONNECTION_ERROR;

        boolean hasResponse() {
            return this == OK || this == HTTP_ERROR;
        }
    }

    static Completion response(PlannedRequest request, int status, String servedRegion, long completedNanos) {
        return new Completion(request, status >= 200 && status < 300 ? Outcome.OK : Outcome.HTTP_ERROR, status, servedRegion,
                completedNanos);
    }

    static Completion failure(PlannedRequest request, Outcome outcome, long completedNanos) {
        return new Completion(request, outcome, 0, null, completedNanos);
    }

    long latencyNanos() {
        return completedNanos - request.intendedStartNanos();
    }

    /** Whether the region that served it is the one the rules give for its client. */
    boolean servedByExpectedRegion() {
        return servedRegion != null && servedRegion.equals(request.client().expectedRegion());
    }
}
