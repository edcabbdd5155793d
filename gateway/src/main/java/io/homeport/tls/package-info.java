/**
 * TLS termination: PEM certificates loaded and checked, an SslContext per certificate chosen by
 * SNI, and reloading when the files change.
 */
package io.homeport.tls;
