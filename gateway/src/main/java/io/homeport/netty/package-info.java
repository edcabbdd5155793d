/** Netty plumbing that knows nothing of HTTP or residency: transports, idle timing, write batching. */
package io.homeport.netty;
