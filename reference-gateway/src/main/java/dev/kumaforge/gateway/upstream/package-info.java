/** Upstream calls: the failure enum, endpoints and the pooled HTTP client. */
package dev.kumaforge.gateway.upstream;
