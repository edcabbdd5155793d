/** The {@code homeport} command line (picocli). */
package io.homeport.cli;
