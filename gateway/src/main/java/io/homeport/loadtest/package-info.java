/**
 * The regional load tester: sends traffic to a gateway as clients from a market mix, with real
 * client addresses per country, and reports latency and routing correctness per market and region.
 */
package io.homeport.loadtest;
