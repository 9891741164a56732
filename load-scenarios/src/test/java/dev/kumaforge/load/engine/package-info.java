/** Tests of the open-loop engine against real servers. */
package dev.kumaforge.load.engine;
