/** Helpers of the peers package: route table translation, durations, process trees, ports. */
package dev.kumaforge.harness.peers.internal;
