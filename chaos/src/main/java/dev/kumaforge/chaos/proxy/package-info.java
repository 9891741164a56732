/** A Netty TCP fault proxy with a Toxiproxy 2.x compatible control API and metrics. */
package dev.kumaforge.chaos.proxy;
