/** The reverse proxy's handlers: client address, routing, header rewriting, relaying, errors. */
package io.homeport.proxy;
