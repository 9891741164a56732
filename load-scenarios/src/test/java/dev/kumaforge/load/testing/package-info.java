/** Test helpers: small real HTTP servers whose latency the tests control. */
package dev.kumaforge.load.testing;
