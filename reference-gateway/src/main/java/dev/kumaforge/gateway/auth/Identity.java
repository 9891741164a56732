package dev.kumaforge.gateway.auth;

import dev.kumaforge.gateway.consumer.ConsumerConfig;

/**
 * Who a request was authenticated as: the consumer name sent upstream in {@code x-forge-consumer},
 * and the consumer whose limits and budget apply.
 *
 * @param consumer consumer name
 * @param method how the request authenticated
 * @param config the configured consumer, or one without limits when a JWT named an unknown one
 */
public record Identity(String consumer, RouteAuthentication.Method method, ConsumerConfig config) {}
