/** Tests of the Gatling recording helpers. */
package dev.kumaforge.load.gatling.internal;
