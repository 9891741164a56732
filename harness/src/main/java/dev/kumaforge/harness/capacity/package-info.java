/** Capacity search: the highest open-loop rate a target sustains within its SLOs. */
package dev.kumaforge.harness.capacity;
