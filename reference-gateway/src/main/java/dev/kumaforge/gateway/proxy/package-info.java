/** The public listener's request path from route match to upstream response. */
package dev.kumaforge.gateway.proxy;
