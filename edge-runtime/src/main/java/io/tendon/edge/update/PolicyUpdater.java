package io.tendon.edge.update;

import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.GraphMismatchException;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyBundleException;
import io.tendon.edge.policy.PolicyGraphSource;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateRefusal;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.update.VerifiedUpdate;
import io.tendon.schemas.v1.GraphRole;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides which policy a robot runs, from the updates it verified. An update that passed the
 * reassembler's checks (every part, SHA-256, a trusted signature) is then checked here, in this
 * order: newer than the high-water mark (else a replay), a graph role the bundle has, its graph
 * loads in ONNX Runtime and matches the manifest's tensors for that role, and the shadow check on
 * recent observations passes. Then it is cached and, unless a version is pinned, swapped in: a new
 * runtime of the bundle with the newest update of each role up to this version takes over at the
 * next policy tick. For a while after a swap, safety trips and policy faults above the limits roll
 * it back to the version before and mark it bad. At start the newest cached version whose
 * signature still verifies is run. Every refusal leaves the running policy untouched.
 *
 * <p>Thread-safe by one lock: the update thread feeds it, operators call rollback and pin from
 * gRPC threads. Slow work (building and checking a runtime) happens here, never on the control
 * or policy thread.
 */
public final class PolicyUpdater {

    /** Builds a runtime of the bundle with some graphs replaced; not active. */
    public interface Runtimes {
        PolicyRuntime build(Map<GraphRole, PolicyGraphSource> graphs, long version, String what);
    }

    /** What the updater tells the world (metrics, logs, the episode-events topic). */
    public interface Events {
        void applied(long version, String reason, long createdUnixNanos);

        void rolledBack(long from, long to, String reason);

        void refused(String name, UpdateRefusal reason, String detail);

        void checked(ShadowCheck.Result result);

        void cachedWhilePinned(long version, long pinned);
    }

    /**
     * @param rollbackWindowNanos after a swap, how long safety trips and policy faults are watched
     * @param maxSafetyTrips      more trips than this in the window roll the update back
     * @param maxPolicyFaults     more policy faults (non-finite actions, missed deadlines, failures) than this too
     */
    public record Settings(ShadowCheck.Limits limits, long rollbackWindowNanos, long maxSafetyTrips,
            long maxPolicyFaults, long retireTimeoutNanos) {
    }

    /** What an operator sees: every cached version and the state around it. */
    public record Listing(List<UpdateCache.Entry> entries, TreeSet<Long> bad, long activeVersion, OptionalLong pinned,
            long highWaterMark) {
    }

    private final PolicyBundle bundle;
    private final UpdateCache cache;
    private final Supplier<TrustedKeys> keys;
    private final Runtimes runtimes;
    private final ActivePolicy active;
    private final Settings settings;
    private final LongSupplier safetyTrips;
    private final LongSupplier policyFaults;
    private final Events events;

    private final TreeMap<Long, UpdateCache.Entry> accepted = new TreeMap<>(Long::compareUnsigned);
    private long activeVersion;
    private long guardFrom = -1;
    private long guardUntilNanos;
    private long tripsAtSwap;
    private long faultsAtSwap;

    public PolicyUpdater(PolicyBundle bundle, UpdateCache cache, Supplier<TrustedKeys> keys, Runtimes runtimes,
            ActivePolicy active, Settings settings, LongSupplier safetyTrips, LongSupplier policyFaults, Events events) {
        this.bundle = bundle;
        this.cache = cache;
        this.keys = keys;
        this.runtimes = runtimes;
        this.active = active;
        this.settings = settings;
        this.safetyTrips = safetyTrips;
        this.policyFaults = policyFaults;
        this.events = events;
        // 0 stands for the bundle's own graphs (or none, while the bundle waits for its first update).
        this.activeVersion = 0;
    }

    /**
     * At start: reads the cache and runs its newest good version (the pinned one, if pinned),
     * so that a robot boots with its last good policy without a broker. A cached graph that no
     * longer verifies is refused, reported and not used; the next older one is tried.
     */
    public synchronized void boot(long nowNanos) throws IOException {
        List<String> broken = new ArrayList<>();
        for (UpdateCache.Entry e : cache.entries(broken)) {
            accepted.put(e.version(), e);
        }
        for (String b : broken) {
            events.refused("(cache entry)", UpdateRefusal.MALFORMED, b);
        }
        TreeSet<Long> bad = cache.badVersions();
        OptionalLong pin = cache.pinned();
        List<Long> candidates = new ArrayList<>(accepted.descendingKeySet());
        if (pin.isPresent()) {
            candidates.removeIf(v -> Long.compareUnsigned(v, pin.getAsLong()) > 0);
        }
        for (long v : candidates) {
            if (bad.contains(v)) {
                continue;
            }
            try {
                PolicyRuntime rt = build(v, null, "cached v" + Long.toUnsignedString(v));
                swap(rt, v, "booted from the cache", nowNanos, false);
                events.applied(v, "booted from the cache", 0);
                return;
            } catch (UpdateRefusedException e) {
                events.refused(name(v), e.reason(), "cached: " + e.getMessage());
            }
        }
    }

    /** A verified update off the updates topic: check, cache, apply (or refuse with the reason). */
    public synchronized void offer(VerifiedUpdate u, long nowNanos) {
        String name = u.name();
        try {
            if (!u.policyId().equals(bundle.policyId())) {
                throw new UpdateRefusedException(UpdateRefusal.UNKNOWN_GRAPH, "it is for policy " + u.policyId()
                        + ", this robot runs " + bundle.policyId());
            }
            long hwm = cache.highWaterMark();
            if (Long.compareUnsigned(u.version(), hwm) <= 0) {
                throw new UpdateRefusedException(UpdateRefusal.STALE_VERSION, "version " + Long.toUnsignedString(u.version())
                        + " is not above the newest accepted here, " + Long.toUnsignedString(hwm) + " (a replay)");
            }
            // Authentic and new: from now on this version and older ones are replays.
            cache.raiseHighWaterMark(u.version());
            GraphRole role = bundle.role(u.graph()).orElseThrow(() -> new UpdateRefusedException(
                    UpdateRefusal.UNKNOWN_GRAPH, "bundle " + bundle.policyId() + " has no graph '" + u.graph() + "'"));
            PolicyRuntime candidate = build(u.version(), new Pending(role, u), name);
            ShadowCheck.Result shadow = ShadowCheck.run(candidate, active.history().snapshot(), bundle.actionSpace,
                    settings.limits());
            events.checked(shadow);
            if (!shadow.passed()) {
                candidate.close();
                throw new UpdateRefusedException(shadow.refusal(), shadow.detail());
            }
            accepted.put(u.version(), cache.store(u));
            OptionalLong pin = cache.pinned();
            if (pin.isPresent() || held) {
                candidate.close();
                events.cachedWhilePinned(u.version(), pin.isPresent() ? pin.getAsLong() : activeVersion);
                return;
            }
            swap(candidate, u.version(), "update verified and checked", nowNanos, true);
            events.applied(u.version(), "update", u.provenance().getCreatedUnixNanos());
        } catch (UpdateRefusedException e) {
            events.refused(name, e.reason(), e.getMessage());
        } catch (IOException e) {
            events.refused(name, UpdateRefusal.LOAD_FAILED, "the update cache failed: " + e);
        }
    }

    /** After a swap: rolls back when safety trips or policy faults exceed the limits. Call it often. */
    public synchronized void watch(long nowNanos) {
        if (guardFrom < 0) {
            return;
        }
        if (nowNanos - guardUntilNanos > 0) {
            guardFrom = -1;
            return;
        }
        long trips = safetyTrips.getAsLong() - tripsAtSwap;
        long faults = policyFaults.getAsLong() - faultsAtSwap;
        if (trips > settings.maxSafetyTrips() || faults > settings.maxPolicyFaults()) {
            long from = activeVersion;
            long to = guardFrom;
            String reason = trips + " safety trips and " + faults + " policy faults within "
                    + settings.rollbackWindowNanos() / 1_000_000_000.0 + " s after applying v" + Long.toUnsignedString(from)
                    + " (limits " + settings.maxSafetyTrips() + " and " + settings.maxPolicyFaults() + ")";
            guardFrom = -1;
            try {
                cache.markBad(from);
                goTo(to, nowNanos);
                events.rolledBack(from, to, reason);
            } catch (UpdateRefusedException | IOException e) {
                events.refused(name(to), UpdateRefusal.LOAD_FAILED, "automatic rollback to v" + Long.toUnsignedString(to)
                        + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * An operator's rollback: runs the graph set as of {@code version} (0: the bundle's own) and
     * marks every newer cached version bad, so that a restart does not bring them back.
     */
    public synchronized void rollback(long version, long nowNanos) throws UpdateRefusedException, IOException {
        requireKnown(version);
        long from = activeVersion;
        goTo(version, nowNanos);
        // Only once the older version runs: a rollback that cannot be done changes nothing.
        for (long v : accepted.keySet()) {
            if (Long.compareUnsigned(v, version) > 0) {
                cache.markBad(v);
            }
        }
        events.rolledBack(from, version, "an operator rolled back to v" + Long.toUnsignedString(version));
    }

    /** Runs {@code version} and applies no update until {@link #unpin}; newer ones are still received and cached. */
    public synchronized void pin(long version, long nowNanos) throws UpdateRefusedException, IOException {
        requireKnown(version);
        cache.pin(version);
        if (version != activeVersion) {
            long from = activeVersion;
            goTo(version, nowNanos);
            events.rolledBack(from, version, "an operator pinned v" + Long.toUnsignedString(version));
        }
    }

    /**
     * For an evaluation: runs {@code version} (0: keeps the active one) and applies no update
     * until {@link #release}; updates are still verified and cached. Unlike a pin this is not
     * persisted: a restart releases it.
     */
    public synchronized void hold(long version, long nowNanos) throws UpdateRefusedException, IOException {
        if (version != 0 && version != activeVersion) {
            requireKnown(version);
            long from = activeVersion;
            goTo(version, nowNanos);
            events.applied(version, "held for an evaluation (from v" + Long.toUnsignedString(from) + ")",
                    accepted.get(version).provenance().getCreatedUnixNanos());
        }
        held = true;
    }

    /** Ends a {@link #hold}: unless a version is pinned, the newest good cached version runs again. */
    public synchronized void release(long nowNanos) throws IOException {
        held = false;
        if (cache.pinned().isEmpty()) {
            runNewestGood(nowNanos, "released after an evaluation");
        }
    }

    public synchronized boolean held() {
        return held;
    }

    /** Ends a pin: the newest good cached version runs again, and later updates are applied. */
    public synchronized void unpin(long nowNanos) throws IOException {
        cache.unpin();
        if (!held) {
            runNewestGood(nowNanos, "unpinned");
        }
    }

    private void runNewestGood(long nowNanos, String why) throws IOException {
        TreeSet<Long> bad = cache.badVersions();
        for (long v : accepted.descendingKeySet()) {
            if (!bad.contains(v)) {
                if (v != activeVersion) {
                    try {
                        goTo(v, nowNanos);
                        events.applied(v, why, accepted.get(v).provenance().getCreatedUnixNanos());
                    } catch (UpdateRefusedException e) {
                        events.refused(name(v), e.reason(), e.getMessage());
                        continue;
                    }
                }
                return;
            }
        }
    }

    public synchronized Listing list() throws IOException {
        return new Listing(List.copyOf(accepted.values()), cache.badVersions(), activeVersion, cache.pinned(),
                cache.highWaterMark());
    }

    private boolean held;

    public synchronized long activeVersion() {
        return activeVersion;
    }

    private void requireKnown(long version) throws UpdateRefusedException, IOException {
        if (version != 0 && !accepted.containsKey(version)) {
            throw new UpdateRefusedException(UpdateRefusal.UNKNOWN_GRAPH, "v" + Long.toUnsignedString(version)
                    + " is not in this robot's cache (it has " + accepted.keySet() + ")");
        }
        if (version != 0 && cache.badVersions().contains(version)) {
            throw new UpdateRefusedException(UpdateRefusal.MARKED_BAD, "v" + Long.toUnsignedString(version)
                    + " was rolled back on this robot and is marked bad");
        }
    }

    /** Builds the graph set as of {@code version} and makes it the running policy (no guard: a deliberate move). */
    private void goTo(long version, long nowNanos) throws UpdateRefusedException {
        if (version == 0) {
            if (bundleRunsAlone()) {
                swap(build(0, null, "bundle " + bundle.policyId()), 0, "the bundle's own graphs", nowNanos, false);
            } else {
                PolicyRuntime previous = active.deactivate();
                activeVersion = 0;
                active.retire(previous, settings.retireTimeoutNanos());
            }
            return;
        }
        swap(build(version, null, "v" + Long.toUnsignedString(version)), version, "rollback", nowNanos, false);
    }

    private boolean bundleRunsAlone() {
        for (GraphRole role : bundle.graphs().keySet()) {
            if (bundle.file(role) == null && PolicyRuntime.required(bundle, role)) {
                return false;
            }
        }
        return true;
    }

    private void swap(PolicyRuntime next, long version, String why, long nowNanos, boolean guard) {
        long from = activeVersion;
        PolicyRuntime previous = active.activate(next);
        activeVersion = version;
        if (guard) {
            guardFrom = from;
            guardUntilNanos = nowNanos + settings.rollbackWindowNanos();
            tripsAtSwap = safetyTrips.getAsLong();
            faultsAtSwap = policyFaults.getAsLong();
        } else {
            guardFrom = -1;
        }
        active.retire(previous, settings.retireTimeoutNanos());
    }

    /** An update not cached yet, to include in a graph set. */
    private record Pending(GraphRole role, VerifiedUpdate update) {
    }

    /**
     * The bundle with, for each role, the newest good accepted update at or below {@code version}
     * (and {@code pending} for its role), built, checked against the manifest and warmed up.
     */
    private PolicyRuntime build(long version, Pending pending, String what) throws UpdateRefusedException {
        Map<GraphRole, PolicyGraphSource> graphs = new EnumMap<>(GraphRole.class);
        TreeSet<Long> bad;
        try {
            bad = cache.badVersions();
        } catch (IOException e) {
            throw new UpdateRefusedException(UpdateRefusal.LOAD_FAILED, "the update cache failed: " + e);
        }
        for (UpdateCache.Entry e : accepted.headMap(version, true).descendingMap().values()) {
            GraphRole role = bundle.role(e.graph()).orElse(null);
            if (role == null || graphs.containsKey(role) || bad.contains(e.version())
                    || (pending != null && pending.role() == role)) {
                continue;
            }
            graphs.put(role, new PolicyGraphSource(cache.load(e, keys.get()), "cached update v"
                    + Long.toUnsignedString(e.version()) + " " + e.graph()));
        }
        if (pending != null) {
            graphs.put(pending.role(), new PolicyGraphSource(pending.update().bytes(), "update " + pending.update().name()));
        }
        try {
            return runtimes.build(graphs, version == 0 ? bundle.version() : version, what);
        } catch (GraphMismatchException e) {
            throw new UpdateRefusedException(UpdateRefusal.GRAPH_MISMATCH, e.getMessage());
        } catch (PolicyBundleException e) {
            throw new UpdateRefusedException(UpdateRefusal.LOAD_FAILED, e.getMessage());
        }
    }

    private String name(long version) {
        return bundle.policyId() + " v" + Long.toUnsignedString(version);
    }
}
