/** Token counting with jtokkit, cached per message. */
package dev.kumaforge.gateway.ai.tokens;
