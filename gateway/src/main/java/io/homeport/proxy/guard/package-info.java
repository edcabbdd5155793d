/**
 * Hostile-input defences of the client side: checks of each request head (smuggling, open proxy,
 * limits) and the slow-client timeout. Refusals surface as decoder failures that {@link
 * io.homeport.proxy.MalformedRequestHandler} answers in order, so nothing refused is ever forwarded.
 */
package io.homeport.proxy.guard;
