/** Side-by-side comparison of two runs, with differences and trial-to-trial noise. */
package dev.kumaforge.reports.compare;
