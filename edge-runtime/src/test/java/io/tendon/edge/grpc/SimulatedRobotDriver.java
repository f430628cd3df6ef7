package io.tendon.edge.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tendon.edge.bridge.ProtoConversions;
import io.tendon.edge.control.Command;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.sim.PegInHoleSim;
import io.tendon.schemas.access.Role;
import io.tendon.schemas.v1.RobotBridgeGrpc;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Twist;
import io.tendon.schemas.v1.Vector3;
import io.tendon.schemas.v1.Wrench;
import io.tendon.testing.TestTokens;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A robot-side driver for tests: the simulator's physics stands in for the arm, its state goes
 * to the edge over the RobotBridge stream (the bridge listener, with the test driver's token),
 * each command that comes back is what the simulated arm's position controller then tracks for
 * one control period.
 */
final class SimulatedRobotDriver implements AutoCloseable {

    static final Object COMPLETED = new Object();

    final PegInHoleSim sim;
    private final double dt;
    private final RobotSample sample = new RobotSample();
    private final ManagedChannel channel;
    private StreamObserver<RobotState> out;
    final LinkedBlockingQueue<Object> in = new LinkedBlockingQueue<>();
    long sequence;

    SimulatedRobotDriver(PegInHoleSim sim, double dt, int bridgePort) {
        this.sim = sim;
        this.dt = dt;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", bridgePort).usePlaintext().build();
    }

    void connect() {
        in.clear();
        sequence = 0;
        out = RobotBridgeGrpc.newStub(channel).withCallCredentials(TestTokens.credentials(Role.DRIVER))
                .connect(new StreamObserver<>() {
                    @Override
                    public void onNext(RobotCommand value) {
                        in.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        in.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        in.add(COMPLETED);
                    }
                });
    }

    void disconnect() {
        out.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
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
