/** The JSON access log, with client addresses truncated and user ids hashed (SPEC §7). */
package io.homeport.accesslog;
