/** Tests of the Gatling simulation building blocks. */
package dev.kumaforge.load.gatling;
