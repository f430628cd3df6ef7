package io.tendon.edge.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters and latency statistics of a robot's policy, kept across policy updates: each
 * runtime the edge builds (the bundle's, then one per applied update) records into the same
 * objects, so the meters read one continuous series. Written by the policy thread, read by
 * metrics at any time.
 */
public final class PolicyInstruments {

    public final PolicyStats stats = new PolicyStats();
    /** A step's inference (graphs run, actions read, denormalised, residual applied). */
    public final LatencyStats inference = new LatencyStats();
    /** A whole published step. */
    public final LatencyStats step = new LatencyStats();
    private final Map<String, LatencyStats> graphs = Collections.synchronizedMap(new LinkedHashMap<>());

    /** The run latencies of graph {@code name} ("head", "step", ...), made on first use (configure time). */
    public LatencyStats graph(String name) {
        return graphs.computeIfAbsent(name, k -> new LatencyStats());
    }

    /** Every graph's run latencies so far. */
    public Map<String, LatencyStats> graphs() {
        synchronized (graphs) {
            return Map.copyOf(graphs);
        }
    }
}
