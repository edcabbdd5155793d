/** Server bootstrap: transports, listeners, the pipeline initializer and lifecycle. */
package io.homeport.server;
