/**
 * The robot link over gRPC ({@link io.tendon.edge.bridge.GrpcRobotLink}, the {@code RobotIo} of a
 * real arm's driver), the conversions between wire messages and the control loop's types, and
 * the screening of teleop samples. Its state screening runs on gRPC threads and hands states to
 * the control thread through lock-free buffers. Imports {@code control} and {@code step}.
 */
package io.tendon.edge.bridge;
