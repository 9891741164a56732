/** MeshRateLimit: local token buckets, and GCRA buckets shared by replicas through Redis. */
package dev.kumaforge.gateway.ratelimit;
