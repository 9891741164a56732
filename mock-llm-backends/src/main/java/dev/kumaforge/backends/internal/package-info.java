/** Netty server, wire formats, timing, ledger and fault machinery behind {@code MockBackends}. */
package dev.kumaforge.backends.internal;
