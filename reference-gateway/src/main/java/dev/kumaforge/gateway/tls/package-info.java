/** TLS and mTLS identity checks: SPIFFE IDs read from certificates. */
package dev.kumaforge.gateway.tls;
