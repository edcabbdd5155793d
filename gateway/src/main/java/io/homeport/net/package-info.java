/** Network addresses as configuration names them: host and port, CIDR blocks. */
package io.homeport.net;
