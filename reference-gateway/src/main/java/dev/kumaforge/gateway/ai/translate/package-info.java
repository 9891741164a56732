/** OpenAI and Anthropic wire formats: request, response and event-by-event stream translation. */
package dev.kumaforge.gateway.ai.translate;
