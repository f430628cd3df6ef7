/**
 * Quarkus wiring of the control loop: reads and validates its parameters at start-up, builds the
 * robot (simulator or gRPC link) and the {@link io.tendon.edge.step.RobotLoop} that owns the
 * control law, starts the dedicated control thread and the step dispatcher, connects a loaded
 * policy to both, and registers Micrometer meters that read the loop's counters from other
 * threads. Nothing here runs inside a tick. Imports {@code control}, {@code step}, {@code sim},
 * {@code bridge}, {@code config} and the policy packages.
 */
package io.tendon.edge.runtime;
