/** Chart and formatting helpers of the renderers. */
package dev.kumaforge.reports.render.internal;
