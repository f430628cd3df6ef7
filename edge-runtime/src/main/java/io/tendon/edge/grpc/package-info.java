/**
 * Every gRPC service of the edge, together: the robot bridge stream (a driver's states in,
 * commands out), teleop, episode markers and rewards, and status. Framework code on gRPC
 * threads; it hands data to the control thread only through the lock-free buffers of
 * {@code control}, {@code bridge} and {@code step}. May import every other edge package but
 * {@code tools}; nothing imports it.
 */
package io.tendon.edge.grpc;
