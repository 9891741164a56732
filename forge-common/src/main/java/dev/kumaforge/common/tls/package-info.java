/**
 * TLS helpers: PEM files to JDK key and trust material, and development certificates with SPIFFE
 * IDs.
 */
package dev.kumaforge.common.tls;
