/** Micrometer metrics in Prometheus names (SPEC §6). */
package io.homeport.metrics;
