/** Allocation per proxied request on the gateway's own hot sites. */
package dev.kumaforge.bench.proxy;
