/** Conversation sessions scoped to a consumer, and trimming history to a context window. */
package dev.kumaforge.gateway.ai.context;
