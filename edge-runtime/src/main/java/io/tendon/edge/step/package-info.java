/**
 * The robot-neutral step model and the loop that owns the control law: {@link io.tendon.edge.step.RobotLoop}
 * runs the {@link io.tendon.edge.control.ControlLoop} against any robot's I/O
 * ({@link io.tendon.edge.step.RobotIo}: the simulator, the gRPC robot link) and cuts its ticks into
 * {@link io.tendon.edge.step.PolicyStep}s, what the policy sees and transitions are made of.
 * Runs on the control thread: imports {@code io.tendon.edge.control} only, no framework, no logging, no I/O.
 */
package io.tendon.edge.step;
