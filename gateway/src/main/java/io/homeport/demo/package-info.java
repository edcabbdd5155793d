/** The embedded demo: bundled GeoIP data (and, with the gateway, demo backends). */
package io.homeport.demo;
