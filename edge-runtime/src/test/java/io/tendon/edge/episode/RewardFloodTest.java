package io.tendon.edge.episode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.access.Role;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.EpisodesGrpc;
import io.tendon.schemas.v1.RewardEvent;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.TestTokens;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A million Episodes/Reward events for arbitrary step numbers (and values) against the running
 * edge: 100,000 over gRPC from a client (about 11,000 calls/s on the 2-core CI machine, so a
 * million over the network would take 90 s) and 900,000 more straight into the Episodes service
 * bean (the same code path behind the transport). The inbox keeps its fixed window, the heap does
 * not grow with the flood, every event is answered and counted, and the control loop keeps ticking.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class RewardFloodTest {

    @Inject
    TransitionRecorder recorder;

    @Inject
    ControlService control;

    @Inject
    @io.quarkus.grpc.GrpcService
    io.tendon.edge.grpc.EpisodesGrpc service;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aMillionRewardsForArbitraryStepsLeaveMemoryBoundedAndTheEdgeRunning() throws Exception {
        RewardInbox inbox = recorder.rewards();
        int window = inbox.window();
        long before = usedHeapAfterGc();
        long ticks = control.metrics().ticks.get();
        long counted = 0;
        for (RewardInbox.Result r : RewardInbox.Result.values()) {
            counted -= inbox.count(r);
        }
        int n = Integer.getInteger("tendon.test.reward-flood.grpc", 100_000);
        int direct = 1_000_000 - n;
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Semaphore inFlight = new Semaphore(512);
        SplittableRandom random = new SplittableRandom(12);
        long start = System.nanoTime();
        try {
            EpisodesGrpc.EpisodesFutureStub stub = EpisodesGrpc.newFutureStub(channel)
                    .withCallCredentials(TestTokens.credentials(Role.OPERATOR));
            for (int i = 0; i < n; i++) {
                String episode = i % 4 == 0 ? "ep-someone-else" : inbox.episodeId();
                long step = switch (i % 3) {
                    case 0 -> random.nextLong(); // anywhere, negative included
                    case 1 -> random.nextLong(0, 1L << 40);
                    default -> random.nextInt(0, 64);
                };
                float reward = i % 97 == 0 ? Float.POSITIVE_INFINITY : i % 89 == 0 ? 3e38f : (float) random.nextDouble(-5, 5);
                inFlight.acquire();
                Futures.addCallback(stub.reward(RewardEvent.newBuilder().setEpisodeId(episode).setStep(step)
                        .setReward(reward).build()), new FutureCallback<>() {
                            @Override
                            public void onSuccess(Ack ack) {
                                (ack.getAccepted() ? accepted : refused).incrementAndGet();
                                inFlight.release();
                            }

                            @Override
                            public void onFailure(Throwable t) {
                                failed.incrementAndGet();
                                inFlight.release();
                            }
                        }, MoreExecutors.directExecutor());
            }
            assertTrue(inFlight.tryAcquire(512, 60, TimeUnit.SECONDS), "every call answered");
            for (int i = 0; i < direct; i++) {
                String episode = i % 4 == 0 ? "ep-someone-else" : inbox.episodeId();
                long step = i % 2 == 0 ? random.nextLong() : random.nextInt(-10, 5000);
                Ack ack = service.reward(RewardEvent.newBuilder().setEpisodeId(episode).setStep(step)
                        .setReward(i % 97 == 0 ? Float.NaN : (float) random.nextDouble(-2000, 2000)).build())
                        .await().indefinitely();
                (ack.getAccepted() ? accepted : refused).incrementAndGet();
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long after = usedHeapAfterGc();
        for (RewardInbox.Result r : RewardInbox.Result.values()) {
            counted += inbox.count(r);
        }
        System.out.printf("reward flood: %d over gRPC and %d direct in %.1f s, %d accepted, %d refused, heap %+d KiB%n",
                n, direct, seconds, accepted.get(), refused.get(), (after - before) / 1024);
        assertEquals(0, failed.get(), "no call failed");
        assertEquals(1_000_000, accepted.get() + refused.get());
        assertEquals(1_000_000, counted, "every event counted by outcome");
        assertTrue(inbox.count(RewardInbox.Result.OUT_OF_BOUNDS) > 0 && inbox.count(RewardInbox.Result.TOO_FAR_AHEAD) > 0
                && inbox.count(RewardInbox.Result.NOT_OPEN) > 0, "each kind of refusal happened");
        assertEquals(window, inbox.window(), "the inbox's memory is its fixed window");
        assertTrue(after - before < 32L << 20, "the heap did not grow with the flood: " + (after - before) / 1024 + " KiB");
        assertTrue(control.metrics().ticks.get() > ticks + 1000, "the control loop kept ticking");
    }
}
