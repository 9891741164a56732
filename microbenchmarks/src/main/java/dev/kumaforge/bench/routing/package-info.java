/** Route matching benchmarks over a large generated MeshHTTPRoute table. */
package dev.kumaforge.bench.routing;
