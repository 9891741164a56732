/** MeshRetry: retry decisions, backoff and the retry budget. */
package dev.kumaforge.gateway.retry;
