/**
 * Tools for the peer benchmark (benchmarks/peers/run.sh): they turn the one country-to-region
 * table (benchmarks/peers/regions.tsv) and the world GeoIP database into HAProxy's CIDR map and
 * into the fixed mix of client addresses wrk replays. They read the database with the MaxMind
 * reader directly, not through Homeport's lookup, so the expected answers do not come from the
 * code under test.
 */
package io.homeport.bench.peers;
