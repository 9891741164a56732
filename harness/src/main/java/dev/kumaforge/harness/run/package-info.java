/**
 * The main job, {@code forge run}: resolve a scenario, run interleaved trials, write the run
 * folder.
 */
package dev.kumaforge.harness.run;
