/** Request hardening before routing: listener limits, path normalisation, header hygiene. */
package dev.kumaforge.gateway.harden;
