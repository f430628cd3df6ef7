package io.tendon.edge.bridge;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.Pose;
import io.tendon.edge.control.Quaternions;
import io.tendon.edge.control.RobotSample;
import io.tendon.schemas.v1.Quaternion;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Twist;
import io.tendon.schemas.v1.Vector3;

/** Between the wire contracts (robot.proto, geometry.proto) and the control loop's mutable types. */
public final class ProtoConversions {

    private ProtoConversions() {
    }

    /** Fills {@code out} from {@code state}; joint positions beyond the sample's capacity are ignored. */
    public static void toSample(RobotState state, long receivedNanos, RobotSample out) {
        out.sequence = state.getSequence();
        out.receivedNanos = receivedNanos;
        toPose(state.getTcpPose(), out.pose);
        Twist t = state.getTcpTwist();
        out.twist[0] = t.getLinear().getX();
        out.twist[1] = t.getLinear().getY();
        out.twist[2] = t.getLinear().getZ();
        out.twist[3] = t.getAngular().getX();
        out.twist[4] = t.getAngular().getY();
        out.twist[5] = t.getAngular().getZ();
        out.wrench[0] = state.getWrench().getForce().getX();
        out.wrench[1] = state.getWrench().getForce().getY();
        out.wrench[2] = state.getWrench().getForce().getZ();
        out.wrench[3] = state.getWrench().getTorque().getX();
        out.wrench[4] = state.getWrench().getTorque().getY();
        out.wrench[5] = state.getWrench().getTorque().getZ();
        int n = Math.min(state.getJointPositionsCount(), RobotSample.MAX_JOINTS);
        for (int i = 0; i < n; i++) {
            out.joints[i] = state.getJointPositions(i);
        }
        out.jointCount = n;
        int f = state.getObservationFeaturesCount();
        if (f == 0) {
            out.featureCount = -1;
        } else {
            // The link screens the length first; a longer vector than the slot holds is cut, never overrun.
            out.featureCount = Math.min(f, out.features.length);
            for (int i = 0; i < out.featureCount; i++) {
                out.features[i] = state.getObservationFeatures(i);
            }
        }
    }

    public static void toPose(io.tendon.schemas.v1.Pose p, Pose out) {
        Quaternion q = p.getOrientation();
        out.set(p.getPosition().getX(), p.getPosition().getY(), p.getPosition().getZ(), q.getW(), q.getX(), q.getY(),
                q.getZ());
    }

    /** Pose proto to [x, y, z, rx, ry, rz] (rotation vector), written at {@code offset}. */
    public static void toVector(io.tendon.schemas.v1.Pose p, double[] out, int offset, double[] scratch) {
        out[offset] = p.getPosition().getX();
        out[offset + 1] = p.getPosition().getY();
        out[offset + 2] = p.getPosition().getZ();
        Quaternion q = p.getOrientation();
        scratch[0] = q.getW();
        scratch[1] = q.getX();
        scratch[2] = q.getY();
        scratch[3] = q.getZ();
        Quaternions.log(scratch, out, offset + 3);
    }

    public static io.tendon.schemas.v1.Pose toProto(Pose p) {
        return io.tendon.schemas.v1.Pose.newBuilder()
                .setPosition(Vector3.newBuilder().setX(p.position[0]).setY(p.position[1]).setZ(p.position[2]))
                .setOrientation(Quaternion.newBuilder().setW(p.orientation[0]).setX(p.orientation[1])
                        .setY(p.orientation[2]).setZ(p.orientation[3]))
                .build();
    }

    public static RobotCommand toProto(Command c) {
        return toProto(c, c.stateSequence);
    }

    /** {@code c} as the answer to the state with the driver's sequence {@code stateSequence}. */
    public static RobotCommand toProto(Command c, long stateSequence) {
        return RobotCommand.newBuilder()
                .setStateSequence(stateSequence)
                .setCommandedPose(toProto(c.pose))
                .setCommandedTwist(Twist.newBuilder()
                        .setLinear(Vector3.newBuilder().setX(c.twist[0]).setY(c.twist[1]).setZ(c.twist[2]))
                        .setAngular(Vector3.newBuilder().setX(c.twist[3]).setY(c.twist[4]).setZ(c.twist[5])))
                .setSafetyTrips(c.safetyTrips)
                .setHolding(c.holding)
                .build();
    }
}
