/** Gatling Java DSL simulations driven by the same resolved scenario as the open-loop engine. */
package dev.kumaforge.load.gatling;
