/** The scenario YAML model: targets, workload, request, SLOs and trials, validated on load. */
package dev.kumaforge.load.scenario;
