/** Turns run folders into summary.json, report.md, report.html and junit.xml. */
package dev.kumaforge.reports;
