/** Request routing: MeshHTTPRoute-style matches compiled into a router. */
package dev.kumaforge.gateway.routing;
