/** Unit tests of the engine internals. */
package dev.kumaforge.load.engine.internal;
