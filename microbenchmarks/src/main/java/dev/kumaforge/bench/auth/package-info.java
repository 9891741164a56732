/** Benchmarks of route authentication: API keys and JWT verification. */
package dev.kumaforge.bench.auth;
