package io.tendon.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tendon.schemas.access.Role;
import io.grpc.stub.StreamObserver;
import io.tendon.schemas.v1.EdgeStatus;
import io.tendon.schemas.v1.EdgeStatusRequest;
import io.tendon.schemas.v1.EdgeStatusServiceGrpc;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.EpisodesGrpc;
import io.tendon.schemas.v1.Pose;
import io.tendon.schemas.v1.Quaternion;
import io.tendon.schemas.v1.RobotBridgeGrpc;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Vector3;
import io.tendon.schemas.v1.Wrench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;

/**
 * A real robot's path end to end, as processes: the packaged edge with the gRPC bridge and a
 * CHUNK policy bundle, a robot driver (this test, the way a Franka FCI or UR RTDE driver pushes
 * state) streaming RobotState with observation features at 1 kHz over RobotBridge/Connect, and
 * the packaged learner behind a real broker. The policy acts on the driver's observations, and
 * the ROLLOUT transitions the edge records reach the learner's replay through Kafka.
 */
class RobotDriverIT {

    private static final int KAFKA = 19292;
    private static final int LEARNER = 18290;
    private static final int EDGE = 18280;
    private static final int LATENT = 40;
    private static final int H = 16;
    private static final int A = 13;
    private static LocalStack stack;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path bundle = writeBundle(dir.resolve("bundle"));
        Path root = Path.of(System.getProperty("tendon.local.root", "..")).toAbsolutePath().normalize();
        stack = new LocalStack(root.resolve("learner/target/robot-driver-it"), root, KAFKA, KAFKA + 1, LEARNER, EDGE)
                .edgeProperties(List.of("-Dtendon.edge.bridge=grpc", "-Dtendon.edge.robot-id=arm-it",
                        "-Dtendon.policy.bundle-dir=" + bundle,
                        // A loaded CI machine may deliver states late: the policy still acts on them.
                        "-Dtendon.policy.max-observation-age-ms=1000"));
        stack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void aDriversStatesBecomeRolloutTransitionsInTheLearnersReplay() throws Exception {
        // The robot bridge has a listener of its own; every call carries a role's token.
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", EDGE).usePlaintext().build();
        ManagedChannel bridge = ManagedChannelBuilder.forAddress("127.0.0.1", LocalStack.bridgePort(EDGE)).usePlaintext()
                .build();
        try {
            AtomicLong commands = new AtomicLong();
            AtomicLong holding = new AtomicLong();
            StreamObserver<RobotState> states = RobotBridgeGrpc.newStub(bridge).withCallCredentials(stack.token(Role.DRIVER)).connect(new StreamObserver<>() {
                @Override
                public void onNext(RobotCommand c) {
                    commands.incrementAndGet();
                    if (c.getHolding()) {
                        holding.incrementAndGet();
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            // Six seconds at 250 Hz (a slow driver; the 1 kHz case is the bridge's own test): 60 policy
            // steps at 10 Hz, so three windows of 16 and a partial one.
            long start = System.nanoTime();
            for (long seq = 1; seq <= 1500; seq++) {
                long due = start + seq * 4_000_000L;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(200_000);
                }
                states.onNext(state(seq, System.nanoTime(), seq % 25 == 1));
            }
            EdgeStatus status = EdgeStatusServiceGrpc.newBlockingStub(channel).withCallCredentials(stack.token(Role.OBSERVER))
                    .getStatus(EdgeStatusRequest.getDefaultInstance());
            assertEquals("grpc", status.getBridge());
            assertTrue(status.getRobotConnected());
            // The operator ends the episode: the partial window is published, terminated.
            var ack = EpisodesGrpc.newBlockingStub(channel).withCallCredentials(stack.token(Role.OPERATOR)).mark(EpisodeEvent.newBuilder()
                    .setEpisodeId(status.getEpisodeId()).setKind(EpisodeEvent.Kind.SUCCESS).build());
            assertTrue(ack.getAccepted(), ack.getReason());
            for (long seq = 1501; seq <= 1600; seq++) {
                states.onNext(state(seq, System.nanoTime(), seq % 25 == 1));
                LockSupport.parkNanos(4_000_000);
            }
            states.onCompleted();
            String edge = stack.scrape(EDGE);
            String counts = "commands " + commands.get() + " (holding " + holding.get() + "), states "
                    + LocalStack.metric(edge, "tendon_edge_bridge_states_total", "result=\"accepted\"") + " accepted, "
                    + LocalStack.metric(edge, "tendon_edge_bridge_states_total", "result=\"superseded\"") + " superseded";
            assertTrue(commands.get() > 300, "the edge commands the robot: " + counts);
            assertTrue(commands.get() - holding.get() > commands.get() / 2, "the policy, not the watchdog, drives: "
                    + counts);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            bridge.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        // About 60 policy steps: windows of 16 from step 0, 16 and 32, and the partial one the mark
        // ended. The first has no policy chunk at its start (the policy's first plan comes with the
        // first observation), so it cannot be a ROLLOUT: at least three are.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double rollouts = 0;
        double delivered = -1;
        while (System.nanoTime() < deadline && (rollouts < 3 || rollouts < delivered)) {
            Thread.sleep(500);
            rollouts = LocalStack.metric(stack.scrape(LEARNER), "tendon_learner_transitions_accepted_total",
                    "source=\"ROLLOUT\"");
            delivered = LocalStack.metric(stack.scrape(EDGE), "tendon_edge_transitions_delivered_total");
        }
        String learner = stack.scrape(LEARNER);
        assertTrue(rollouts >= 3, "ROLLOUT transitions accepted by the learner: " + rollouts);
        assertEquals(delivered, rollouts, "every transition the edge delivered is in the learner's replay");
        assertEquals(0.0, LocalStack.metric(learner, "tendon_learner_dead_letters_total"), "none dead-lettered");
        assertEquals(0.0, LocalStack.metric(learner, "tendon_learner_transitions_accepted_total", "source=\"DEMO\""),
                "a real robot's policy steps are not demonstrations");
        String edge = stack.scrape(EDGE);
        assertEquals(0.0, LocalStack.metric(edge, "tendon_edge_bridge_states_total", "result=\"bad_features\""));
        assertTrue(LocalStack.metric(edge, "tendon_edge_episodes_total", "outcome=\"success\"") >= 1,
                "the operator's mark ended the episode");
    }

    /** A robot holding still at (0.5, 0, 0.1), observation features with every 25th state (the policy rate). */
    private static RobotState state(long seq, long monotonicNanos, boolean withFeatures) {
        RobotState.Builder s = RobotState.newBuilder().setSequence(seq).setMonotonicNanos(monotonicNanos)
                .setTcpPose(Pose.newBuilder().setPosition(Vector3.newBuilder().setX(0.5).setY(0).setZ(0.1))
                        .setOrientation(Quaternion.newBuilder().setW(1)))
                .setWrench(Wrench.newBuilder().setForce(Vector3.newBuilder().setZ(-0.3 * 9.81)));
        if (withFeatures) {
            for (int i = 0; i < LATENT; i++) {
                s.addObservationFeatures((float) Math.sin(0.1 * i + seq * 1e-3));
            }
        }
        return s.build();
    }

    /** A CHUNK bundle whose head holds the pose (0.5, 0, 0.1) with 500 N/m, whatever the latent. */
    static Path writeBundle(Path bundle) throws Exception {
        Files.createDirectories(bundle);
        float[] row = {0.5f, 0, 0.1f, 0, 0, 0, 0.5f, 0, 0.1f, 0, 0, 0, 500};
        ONNXContext ctx = new ONNXContext();
        var z = ctx.floatInput("latent", LATENT);
        var w = ctx.floatTensor("w", List.of(LATENT, H * A), buf -> {
            for (int i = 0; i < LATENT * H * A; i++) {
                buf.put(0f);
            }
        });
        var b = ctx.floatTensor("b", List.of(H * A), buf -> {
            for (int i = 0; i < H * A; i++) {
                buf.put(row[i % A]);
            }
        });
        ctx.operation(ONNXOperators.GEMM, List.of(z, w, b), "y", Map.of()).assignTo(ctx.floatOutput("actions", H * A));
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build();
        Files.write(bundle.resolve("head.onnx"), model.toByteArray());
        Files.writeString(bundle.resolve("manifest.json"), """
                {"manifestVersion": 1, "policyId": "hold-still", "version": 3, "mode": "CHUNK",
                 "rates": {"controlHz": 1000, "policyHz": 10, "chunkLength": 16, "execHorizon": 8, "latencySteps": 1},
                 "graphs": [{"role": "HEAD", "file": "head.onnx",
                   "inputs": [{"name": "latent", "shape": [-1, 40], "dtype": "FLOAT32"}],
                   "outputs": [{"name": "actions", "shape": [-1, 208], "dtype": "FLOAT32"}]}],
                 "actionLayout": {"kind": "POSE_TARGET_STIFFNESS",
                   "lower": [-1, -1, 0, -3.2, -3.2, -3.2, -1, -1, 0, -3.2, -3.2, -3.2, 50],
                   "upper": [1, 1, 1, 3.2, 3.2, 3.2, 1, 1, 1, 3.2, 3.2, 3.2, 3000]}}
                """);
        return bundle;
    }
}
