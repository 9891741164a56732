/** TLS and mTLS: development certificates with SPIFFE identities, and identity checks. */
package dev.kumaforge.gateway.tls;
