package io.homeport.loadtest;

import java.time.Duration;

/**
 * The open model's timetable: request {@code i} is meant to start at {@code start + i / rate},
 * whatever happened to the requests before it.
 */
record ArrivalSchedule(long startNanos, double perSecond, long count) {

    ArrivalSchedule {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: > 0)");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
        }
    }

    static ArrivalSchedule of(long startNanos, double perSecond, Duration duration) {
        return new ArrivalSchedule(startNanos, perSecond, (long) Math.floor(perSecond * duration.toNanos() / 1e9));
    }

    long intendedStart(long index) {
        return startNanos + Math.round(index * 1e9 / perSecond);
    }
}
