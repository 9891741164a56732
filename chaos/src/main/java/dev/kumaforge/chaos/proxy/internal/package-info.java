/** Netty plumbing of the fault proxy: listeners, connections, links, metrics and the HTTP API. */
package dev.kumaforge.chaos.proxy.internal;
