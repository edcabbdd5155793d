package io.homeport.loadtest;

/** How load is offered: at a fixed arrival rate (open model) or by a fixed number of users (closed model). */
public sealed interface LoadModel {

    /** Open model: requests arrive at {@code perSecond}, whether or not earlier ones have finished. */
    record FixedRate(double perSecond) implements LoadModel {
        public static final double MAX = 1_000_000;

        public FixedRate {
            if (!(perSecond > 0) || perSecond > MAX) {
                throw new IllegalArgumentException("--rate " + perSecond + " (expected: 0 < rate <= " + (long) MAX + " per second)");
            }
        }

        @Override
        public String describe() {
            return "open model, " + Reports.number(perSecond) + " req/s";
        }
    }

    /** Closed model: {@code users} users, each sending its next request when its last one ends. */
    record FixedConcurrency(int users) implements LoadModel {
        public static final int MAX = 10_000;

        public FixedConcurrency {
            if (users < 1 || users > MAX) {
                throw new IllegalArgumentException("--concurrency " + users + " (expected: 1.." + MAX + ")");
            }
        }

        @Override
        public String describe() {
            return "closed model, " + users + " concurrent users";
        }
    }

    /** For people: which model, at what load. */
    String describe();
}
