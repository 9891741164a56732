/**
 * The AI gateway: OpenAI-compatible front, model catalog routing, fallbacks, limits and budgets.
 */
package dev.kumaforge.gateway.ai;
