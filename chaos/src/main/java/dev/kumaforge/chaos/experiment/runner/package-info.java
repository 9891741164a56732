/** Runs an experiment on an injected clock: probes, the fault timeline, rollbacks, the verdict. */
package dev.kumaforge.chaos.experiment.runner;
