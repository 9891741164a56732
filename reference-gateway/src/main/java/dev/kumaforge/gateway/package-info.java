/** The reference API gateway: start, serve, reload and stop. */
package dev.kumaforge.gateway;
