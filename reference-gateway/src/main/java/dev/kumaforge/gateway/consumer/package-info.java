/** Consumer identity: named consumers with salted, hashed API keys. */
package dev.kumaforge.gateway.consumer;
