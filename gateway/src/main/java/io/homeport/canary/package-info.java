/**
 * The reload canary: a bounded, privacy-safe sample of recent traffic, and the comparison of two
 * routing snapshots over it, so that a GeoIP update or a rules edit that moves users between
 * regions is seen (and, past a limit, refused) before it serves; {@code homeport diff} runs the
 * same comparison offline.
 */
package io.homeport.canary;
