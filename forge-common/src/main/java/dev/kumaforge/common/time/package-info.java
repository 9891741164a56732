/** Injectable clocks so rate limiters, breakers and latency models can be tested by hand. */
package dev.kumaforge.common.time;
