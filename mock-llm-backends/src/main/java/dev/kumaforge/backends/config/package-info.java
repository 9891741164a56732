/** The YAML model of the mock backends: providers, models, latency, output and faults. */
package dev.kumaforge.backends.config;
