/** Tests of the scenario model and its validation. */
package dev.kumaforge.load.scenario;
