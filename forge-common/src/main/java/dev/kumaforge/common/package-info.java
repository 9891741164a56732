/** Shared building blocks of every Kuma-API-Forge module: config loading, units, files, time. */
package dev.kumaforge.common;
