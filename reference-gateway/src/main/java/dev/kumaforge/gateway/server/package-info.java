/** The listener stack: binding, TLS termination, header deadline and connection limit. */
package dev.kumaforge.gateway.server;
