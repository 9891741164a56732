/** MeshHealthCheck: active HTTP health checks of upstream endpoints. */
package dev.kumaforge.gateway.healthcheck;
