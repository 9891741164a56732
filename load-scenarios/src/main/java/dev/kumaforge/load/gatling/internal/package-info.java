/** Per-request microsecond recording and Zipf tenant picking for the Gatling simulations. */
package dev.kumaforge.load.gatling.internal;
