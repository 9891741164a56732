/** Internals of the open-loop engine: schedule, connection pool, recorders, validity rules. */
package dev.kumaforge.load.engine.internal;
