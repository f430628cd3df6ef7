/**
 * Quarkus wiring of the control loop: reads and validates its parameters at start-up, builds
 * the bridge, starts the dedicated control thread, registers Micrometer meters that read the
 * loop's counters from other threads. Nothing here runs inside a tick.
 */
package io.tendon.edge.runtime;
