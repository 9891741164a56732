/** Load scenarios and the load engines that drive them against targets. */
package dev.kumaforge.load;
