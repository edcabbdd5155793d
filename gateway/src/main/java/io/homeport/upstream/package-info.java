/** Upstream endpoints: selection, pooled keep-alive connections and timeouts. */
package io.homeport.upstream;
