/** MeshRateLimit: local token-bucket rate limiting. */
package dev.kumaforge.gateway.ratelimit;
