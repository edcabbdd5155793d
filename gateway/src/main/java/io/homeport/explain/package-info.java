/** Renders routing explanations for people (text) and tools (JSON). */
package io.homeport.explain;
