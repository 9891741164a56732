/** Simulated OpenAI- and Anthropic-style LLM providers served over Netty. */
package dev.kumaforge.backends;
