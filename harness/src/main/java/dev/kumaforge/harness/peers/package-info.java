/**
 * Peer gateways (nginx, HAProxy, Envoy) as targets: configs from the route table, discovery,
 * processes.
 */
package dev.kumaforge.harness.peers;
