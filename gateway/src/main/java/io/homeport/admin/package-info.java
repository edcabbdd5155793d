/** The admin listener (SPEC §5): health, readiness, metrics, explain, reload and the active configuration. */
package io.homeport.admin;
