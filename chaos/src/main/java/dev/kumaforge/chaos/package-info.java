/** Chaos tooling: the Toxiproxy-compatible fault proxy entry point and its configuration. */
package dev.kumaforge.chaos;
