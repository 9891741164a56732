/** JMH microbenchmarks of the reference gateway's and the load engine's hot paths. */
package dev.kumaforge.bench;
