/** {@code forge chaos}: chaos experiments against real processes under open-loop load. */
package dev.kumaforge.harness.chaos;
