/** Exit codes and the READY line shared by every forge process. */
package dev.kumaforge.common.process;
