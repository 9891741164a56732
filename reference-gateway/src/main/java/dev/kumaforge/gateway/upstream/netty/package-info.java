/** The Netty upstream transport: shared event loops, per-endpoint keep-alive pools, Pekko model. */
package dev.kumaforge.gateway.upstream.netty;
