/**
 * Robot bridges (the built-in simulator, and the gRPC stream a robot-side driver connects to)
 * and the teleop service. Framework code lives here; the real-time work it feeds runs in
 * io.tendon.edge.control on the control thread.
 */
package io.tendon.edge.bridge;
