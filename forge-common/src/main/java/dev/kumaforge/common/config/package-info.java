/** YAML to immutable records, with every error naming its YAML path. */
package dev.kumaforge.common.config;
