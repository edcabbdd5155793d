/**
 * The residency directory: per-user pins kept in Redis (one node, or a Redis Cluster), read through
 * a bounded near-cache on every gateway that Redis keeps current by client-side caching
 * invalidations, and written by the data copier or {@code homeport pins}. A pin is the Redis string
 * {@code homeport:pin:<user id>} holding a region name.
 */
package io.homeport.directory;
