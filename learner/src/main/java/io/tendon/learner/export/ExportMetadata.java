package io.tendon.learner.export;

import io.tendon.schemas.v1.NamedValue;
import io.tendon.schemas.v1.Provenance;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Provenance as ONNX {@code metadata_props}: who made the graph and from what, readable by any
 * ONNX tool and by the edge before it loads the graph.
 */
public final class ExportMetadata {

    public static final String POLICY_ID = "tendon.policy_id";
    public static final String GRAPH = "tendon.graph";
    public static final String VERSION = "tendon.version";
    public static final String LEARNER_ID = "tendon.learner_id";
    public static final String TRAINING_STEP = "tendon.training_step";
    public static final String STAGE = "tendon.stage";
    public static final String DEMO_TRANSITIONS = "tendon.demo_transitions";
    public static final String INTERVENTION_TRANSITIONS = "tendon.intervention_transitions";
    public static final String ROLLOUT_TRANSITIONS = "tendon.rollout_transitions";
    public static final String CREATED_UNIX_NANOS = "tendon.created_unix_nanos";
    /** Prefix of training statistics: {@code tendon.stat.<name>}. */
    public static final String STAT_PREFIX = "tendon.stat.";

    private ExportMetadata() {
    }

    public static Map<String, String> of(String policyId, String graph, long version, Provenance p) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(POLICY_ID, policyId);
        m.put(GRAPH, graph);
        m.put(VERSION, Long.toString(version));
        m.put(LEARNER_ID, p.getLearnerId());
        m.put(TRAINING_STEP, Long.toUnsignedString(p.getTrainingStep()));
        m.put(STAGE, p.getStage());
        m.put(DEMO_TRANSITIONS, Long.toUnsignedString(p.getDemoTransitions()));
        m.put(INTERVENTION_TRANSITIONS, Long.toUnsignedString(p.getInterventionTransitions()));
        m.put(ROLLOUT_TRANSITIONS, Long.toUnsignedString(p.getRolloutTransitions()));
        m.put(CREATED_UNIX_NANOS, Long.toString(p.getCreatedUnixNanos()));
        for (NamedValue v : p.getStatsList()) {
            m.put(STAT_PREFIX + v.getName(), Double.toString(v.getValue()));
        }
        return m;
    }
}
