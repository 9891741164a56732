/** Tag names and helpers for the tagged interval {@code .hlog} files every run writes (µs). */
package dev.kumaforge.common.hdr;
