/** Masking of personal data and secrets in prompts before a provider sees them. */
package dev.kumaforge.gateway.ai.masking;
