package io.homeport.loadtest;

/**
 * One simulated client: its market, its address (as the X-Forwarded-For text), its user id (null
 * when the run sends none) and the region the rules say it must be served by.
 */
public record Client(String market, String address, String userId, String expectedRegion) {}
