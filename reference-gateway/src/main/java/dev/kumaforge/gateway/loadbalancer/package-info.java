/** Load balancers that pick an upstream endpoint. */
package dev.kumaforge.gateway.loadbalancer;
