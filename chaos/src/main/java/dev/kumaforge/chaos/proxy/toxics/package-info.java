/** Toxics: the fault stages of a proxy link, their registry and the Toxiproxy-compatible set. */
package dev.kumaforge.chaos.proxy.toxics;
