/** The admin listener: readiness, liveness, metrics, config and reload. */
package dev.kumaforge.gateway.admin;
