/** The YAML model of a chaos experiment: hypothesis probes, a method timeline and rollbacks. */
package dev.kumaforge.chaos.experiment;
