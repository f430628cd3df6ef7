package io.tendon.edge.grpc;

import io.tendon.edge.bridge.ProtoConversions;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.tendon.edge.control.Command;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.sim.PegInHoleSim;
import io.tendon.schemas.v1.RobotBridge;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Twist;
import io.tendon.schemas.v1.Vector3;
import io.tendon.schemas.v1.Wrench;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A robot-side driver for tests: the simulator's physics stands in for the arm, its state goes
 * to the edge over the RobotBridge stream, each command that comes back is what the simulated
 * arm's position controller then tracks for one control period.
 */
final class SimulatedRobotDriver {

    static final Object COMPLETED = new Object();

    final PegInHoleSim sim;
    private final double dt;
    private final RobotSample sample = new RobotSample();
    private UnicastProcessor<RobotState> out;
    final LinkedBlockingQueue<Object> in = new LinkedBlockingQueue<>();
    long sequence;

    SimulatedRobotDriver(PegInHoleSim sim, double dt) {
        this.sim = sim;
        this.dt = dt;
    }

    void connect(RobotBridge bridge) {
        out = UnicastProcessor.create();
        in.clear();
        sequence = 0;
        bridge.connect(out).subscribe().with(in::add, in::add, () -> in.add(COMPLETED));
    }

    void disconnect() {
        out.onComplete();
    }

    /** The simulated arm's current state as the driver would send it. */
    RobotState state(long seq, long monotonicNanos) {
        sim.sense(0, seq, sample);
        return RobotState.newBuilder().setSequence(seq).setMonotonicNanos(monotonicNanos)
                .setTcpPose(ProtoConversions.toProto(sample.pose))
                .setTcpTwist(Twist.newBuilder()
                        .setLinear(Vector3.newBuilder().setX(sample.twist[0]).setY(sample.twist[1]).setZ(sample.twist[2]))
                        .setAngular(Vector3.newBuilder().setX(sample.twist[3]).setY(sample.twist[4]).setZ(sample.twist[5])))
                .setWrench(Wrench.newBuilder()
                        .setForce(Vector3.newBuilder().setX(sample.wrench[0]).setY(sample.wrench[1]).setZ(sample.wrench[2]))
                        .setTorque(Vector3.newBuilder().setX(sample.wrench[3]).setY(sample.wrench[4]).setZ(sample.wrench[5])))
                .setRobotId("sim-driver")
                .build();
    }

    /** Sends {@code state} without waiting for an answer. */
    void send(RobotState state) {
        out.onNext(state);
    }

    /** Sends the current state with the next sequence, waits for its command, steps the physics with it. */
    RobotCommand exchange() throws InterruptedException {
        RobotState s = state(++sequence, System.nanoTime());
        out.onNext(s);
        RobotCommand c = next();
        if (c.getStateSequence() != s.getSequence()) {
            throw new AssertionError("command answers state " + c.getStateSequence() + ", sent " + s.getSequence());
        }
        apply(c);
        return c;
    }

    RobotCommand next() throws InterruptedException {
        Object o = in.poll(5, TimeUnit.SECONDS);
        if (o instanceof RobotCommand) {
            return (RobotCommand) o;
        }
        throw new AssertionError("expected a command, got " + o);
    }

    void apply(RobotCommand c) {
        Command cmd = new Command();
        cmd.valid = true;
        ProtoConversions.toPose(c.getCommandedPose(), cmd.pose);
        cmd.twist[0] = c.getCommandedTwist().getLinear().getX();
        cmd.twist[1] = c.getCommandedTwist().getLinear().getY();
        cmd.twist[2] = c.getCommandedTwist().getLinear().getZ();
        cmd.twist[3] = c.getCommandedTwist().getAngular().getX();
        cmd.twist[4] = c.getCommandedTwist().getAngular().getY();
        cmd.twist[5] = c.getCommandedTwist().getAngular().getZ();
        sim.step(cmd);
    }

    RobotSample measured() {
        sim.sense(0, sequence, sample);
        return sample;
    }

    double dt() {
        return dt;
    }
}
