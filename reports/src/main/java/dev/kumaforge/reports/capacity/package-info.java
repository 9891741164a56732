/** Capacity reports: {@code capacity.md} and {@code capacity.html} from {@code capacity.json}. */
package dev.kumaforge.reports.capacity;
