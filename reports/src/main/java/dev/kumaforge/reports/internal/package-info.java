/** Reading run folders: manifest.json, result.json and tagged interval .hlog files. */
package dev.kumaforge.reports.internal;
