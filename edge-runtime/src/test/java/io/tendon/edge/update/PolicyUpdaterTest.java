package io.tendon.edge.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.Observation;
import io.tendon.edge.policy.OrtSettings;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.update.UpdateRefusal;
import io.tendon.schemas.update.VerifiedUpdate;
import io.tendon.testing.UpdateSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The robot's decisions about verified updates, with real ONNX Runtime sessions and a real cache
 * on disk: the first head of a bundle that waits for it, each way an update is refused (with the
 * running policy untouched), the graph set of head and residual updates, a replay after a
 * restart, booting from the cache (and refusing a tampered entry), automatic rollback after a
 * burst of safety trips, and an operator's rollback and pin.
 */
class PolicyUpdaterTest {

    @TempDir
    Path dir;

    private final UpdateSigner key = new UpdateSigner();
    private final AtomicLong trips = new AtomicLong();
    private final AtomicLong faults = new AtomicLong();
    private final List<String> events = new ArrayList<>();
    private final List<UpdateRefusal> refusals = new ArrayList<>();
    private PolicyBundle bundle;
    private ActivePolicy active;
    private PolicyUpdater updater;

    @BeforeEach
    void setUp() throws Exception {
        bundle = PolicyBundle.open(UpdateGraphs.bundle(dir.resolve("bundle")));
        start();
    }

    @AfterEach
    void tearDown() {
        if (active != null && active.current() != null) {
            active.current().close();
        }
    }

    /** A fresh robot process over the same bundle and cache directory. */
    private void start() throws Exception {
        active = new ActivePolicy(bundle, 8);
        UpdateCache cache = new UpdateCache(dir.resolve("cache"), bundle.policyId());
        PolicyUpdater.Settings settings = new PolicyUpdater.Settings(new ShadowCheck.Limits(0.05, 0.5, 2000),
                10_000_000_000L, 5, 3, 1_000_000_000L);
        updater = new PolicyUpdater(bundle, cache, () -> TrustedKeys.of(key.publicKey()),
                (graphs, version, what) -> PolicyRuntime.load(bundle, OrtSettings.cpu(),
                        active.options(new PolicyRuntime.Options().version(version).graphs(graphs).noiseSeed(1))),
                active, settings, trips::get, faults::get, new PolicyUpdater.Events() {
                    @Override
                    public void applied(long version, String reason, long created) {
                        events.add("applied v" + version);
                    }

                    @Override
                    public void rolledBack(long from, long to, String reason) {
                        events.add("rolled back v" + from + " -> v" + to);
                    }

                    @Override
                    public void refused(String name, UpdateRefusal reason, String detail) {
                        refusals.add(reason);
                        events.add("refused " + name + " " + reason.label());
                    }

                    @Override
                    public void checked(ShadowCheck.Result result) {
                    }

                    @Override
                    public void cachedWhilePinned(long version, long pinned) {
                        events.add("cached v" + version + " while v" + pinned + " is pinned");
                    }
                });
        updater.boot(0);
    }

    private VerifiedUpdate update(long version, String graph, byte[] model) throws Exception {
        return UpdateAssembler.assemble(key.parts(UpdateGraphs.POLICY, version, graph, model, 1 << 20),
                TrustedKeys.of(key.publicKey()));
    }

    /** What the running policy proposed on a few observations, as the policy thread would record them. */
    private void actOnObservations(int n) {
        PolicyRuntime running = active.current();
        float[] out = new float[UpdateGraphs.H * UpdateGraphs.A];
        for (int i = 0; i < n; i++) {
            Observation o = new Observation(UpdateGraphs.LATENT, UpdateGraphs.STATE);
            o.features[i % UpdateGraphs.LATENT] = 0.1f * i;
            o.sequence = i;
            int rows = running == null ? 0 : running.shadow(i, o, out);
            active.history().record(o, out, rows * UpdateGraphs.A, rows);
        }
    }

    private void assertRefused(UpdateRefusal reason, VerifiedUpdate u) {
        PolicyRuntime before = active.current();
        long version = updater.activeVersion();
        int n = refusals.size();
        updater.offer(u, 0);
        assertEquals(n + 1, refusals.size(), "refused once: " + events);
        assertEquals(reason, refusals.get(n), events.toString());
        assertSame(before, active.current(), "the running policy is untouched");
        assertEquals(version, updater.activeVersion());
    }

    @Test
    void theFirstHeadRunsThenEachBadUpdateIsRefusedWithItsReasonAndTheRunningPolicyUntouched() throws Exception {
        assertNull(active.current(), "the bundle's head arrives by update: no policy yet");
        actOnObservations(4); // observations with no policy output: finiteness and bounds only
        updater.offer(update(1, "head", UpdateGraphs.head(UpdateGraphs.HOLD)), 0);
        assertNotNull(active.current(), events.toString());
        assertEquals(1, active.current().version());
        actOnObservations(8);

        assertRefused(UpdateRefusal.STALE_VERSION, update(1, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f))));
        assertRefused(UpdateRefusal.UNKNOWN_GRAPH, update(2, "encoder", UpdateGraphs.head(UpdateGraphs.HOLD)));
        assertRefused(UpdateRefusal.GRAPH_MISMATCH, update(3, "head", UpdateGraphs.head(UpdateGraphs.HOLD, 41)));
        assertRefused(UpdateRefusal.NON_FINITE, update(4, "head", UpdateGraphs.head(UpdateGraphs.nan())));
        assertRefused(UpdateRefusal.OUT_OF_BOUNDS, update(5, "head", UpdateGraphs.head(UpdateGraphs.moved(0.7f))));
        assertRefused(UpdateRefusal.SHADOW_DEVIATION, update(6, "head", UpdateGraphs.head(UpdateGraphs.moved(0.2f))));
        assertRefused(UpdateRefusal.LOAD_FAILED, update(7, "head", new byte[] {1, 2, 3}));

        // A residual on top of the head: both graphs run, the version is the residual's.
        float[] nudge = new float[UpdateGraphs.A];
        nudge[0] = 0.002f;
        updater.offer(update(8, "residual", UpdateGraphs.residual(nudge)), 0);
        assertEquals(8, updater.activeVersion(), events.toString());
        float[] out = new float[UpdateGraphs.H * UpdateGraphs.A];
        active.current().shadow(0, new Observation(UpdateGraphs.LATENT, UpdateGraphs.STATE), out);
        assertEquals(0.502f, out[0], 1e-6, "head v1 plus the residual's correction");
        assertEquals(8, updater.list().highWaterMark());

        // A new process over the same cache: it boots with v8 (head v1 and residual v8) and refuses a replay.
        tearDown();
        events.clear();
        start();
        assertEquals(8, updater.activeVersion(), "booted from the cache: " + events);
        active.current().shadow(0, new Observation(UpdateGraphs.LATENT, UpdateGraphs.STATE), out);
        assertEquals(0.502f, out[0], 1e-6);
        assertRefused(UpdateRefusal.STALE_VERSION, update(8, "residual", UpdateGraphs.residual(nudge)));
        assertRefused(UpdateRefusal.STALE_VERSION, update(2, "head", UpdateGraphs.head(UpdateGraphs.HOLD)));
    }

    @Test
    void aTamperedCacheEntryIsRefusedAndTheOneBeforeItRuns() throws Exception {
        updater.offer(update(1, "head", UpdateGraphs.head(UpdateGraphs.HOLD)), 0);
        updater.offer(update(2, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f))), 0);
        assertEquals(2, updater.activeVersion());
        Path cached = dir.resolve("cache").resolve(UpdateGraphs.POLICY).resolve("v2-head.onnx");
        byte[] bytes = Files.readAllBytes(cached);
        bytes[bytes.length / 2] ^= 1;
        Files.write(cached, bytes);
        tearDown();
        refusals.clear();
        start();
        assertEquals(List.of(UpdateRefusal.HASH_MISMATCH), refusals, "the tampered v2 is refused: " + events);
        assertEquals(1, updater.activeVersion(), "v1 runs instead");
        assertEquals(1, active.current().version());
    }

    @Test
    void aBurstOfSafetyTripsAfterASwapRollsBackAndTheVersionIsNeverAppliedAgain() throws Exception {
        updater.offer(update(1, "head", UpdateGraphs.head(UpdateGraphs.HOLD)), 0);
        actOnObservations(4);
        updater.offer(update(2, "head", UpdateGraphs.head(UpdateGraphs.moved(0.01f))), 1_000);
        assertEquals(2, updater.activeVersion());
        trips.addAndGet(3);
        updater.watch(2_000_000_000L);
        assertEquals(2, updater.activeVersion(), "3 trips are within the limit of 5");
        trips.addAndGet(3);
        updater.watch(3_000_000_000L);
        assertEquals(1, updater.activeVersion(), "6 trips within the window: rolled back, " + events);
        assertEquals(1, active.current().version());
        assertTrue(updater.list().bad().contains(2L), "v2 is marked bad");
        assertTrue(events.contains("rolled back v2 -> v1"), events.toString());

        // Outside the window trips no longer count.
        updater.offer(update(3, "head", UpdateGraphs.head(UpdateGraphs.moved(0.005f))), 4_000_000_000L);
        trips.addAndGet(100);
        updater.watch(15_000_000_001L);
        assertEquals(3, updater.activeVersion(), "the window of v3 had ended");

        // A restart never brings back the bad v2.
        tearDown();
        start();
        assertEquals(3, updater.activeVersion());
    }

    @Test
    void anOperatorRollsBackAndPinsAndUnpins() throws Exception {
        updater.offer(update(1, "head", UpdateGraphs.head(UpdateGraphs.HOLD)), 0);
        updater.offer(update(2, "head", UpdateGraphs.head(UpdateGraphs.moved(0.001f))), 0);
        updater.pin(1, 0);
        assertEquals(1, updater.activeVersion());
        updater.offer(update(3, "head", UpdateGraphs.head(UpdateGraphs.moved(0.002f))), 0);
        assertEquals(1, updater.activeVersion(), "pinned: v3 is cached, not applied");
        assertTrue(events.contains("cached v3 while v1 is pinned"), events.toString());
        assertTrue(updater.list().pinned().isPresent());
        updater.unpin(0);
        assertEquals(3, updater.activeVersion(), "unpinned: the newest good version runs");
        updater.rollback(2, 0);
        assertEquals(2, updater.activeVersion());
        assertTrue(updater.list().bad().contains(3L), "rolling back marks the newer versions bad");
        assertFalse(updater.list().bad().contains(2L));
    }
}
