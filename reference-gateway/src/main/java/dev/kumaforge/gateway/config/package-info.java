/** Gateway configuration: immutable records bound from YAML with Kuma's policy vocabulary. */
package dev.kumaforge.gateway.config;
