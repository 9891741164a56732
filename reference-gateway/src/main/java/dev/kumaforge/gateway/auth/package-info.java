/** Authentication: API keys, JWT providers and admin credentials, decided per route. */
package dev.kumaforge.gateway.auth;
