/**
 * The listener stack: binding, TLS termination, byte-level request checks below the HTTP parser,
 * header deadline and connection limit.
 */
package dev.kumaforge.gateway.server;
