/** Internals of the scenario model: JSON rendering of a resolved scenario. */
package dev.kumaforge.load.scenario.internal;
