/** The open-loop precision load engine: intended-start schedule, tagged .hlog, result.json. */
package dev.kumaforge.load.engine;
