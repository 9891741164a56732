/** Renders a summary as markdown, self-contained HTML, JUnit XML and the CLI's plain-text table. */
package dev.kumaforge.reports.render;
