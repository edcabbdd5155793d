/** Implementation of rules loading: safe YAML reading with positions. Not API. */
package io.homeport.rules.internal;
