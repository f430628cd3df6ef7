/**
 * The built-in simulator for the reference task (peg-in-hole with a roughly known hole): its
 * physics, reward and scripted expert, {@link io.tendon.edge.sim.SimRobot} (the simulator as a
 * robot of the {@link io.tendon.edge.step.RobotLoop}) and {@link io.tendon.edge.sim.SimEpisodeRunner}
 * (the two wired together). Runs on the control thread: imports {@code control} and {@code step}
 * only; no framework, no logging, no I/O, nothing allocated per tick.
 */
package io.tendon.edge.sim;
