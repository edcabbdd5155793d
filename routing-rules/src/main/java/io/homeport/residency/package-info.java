/** Where users' data lives: the per-user residency table and sticky migration buckets. */
package io.homeport.residency;
