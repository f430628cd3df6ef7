package io.tendon.learner.replay;

import io.tendon.learner.ingest.TransitionSink;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The learner's replay of accepted transitions, one table per source. */
@ApplicationScoped
public class ReplayBuffer implements TransitionSink {

    private final Set<String> keys = new HashSet<>();
    private final Map<Source, Long> sizes = new EnumMap<>(Source.class);

    @Override
    public synchronized boolean insert(Transition t, int partition, long offset) {
        if (!keys.add(t.getRobotId() + '\u0000' + t.getEpisodeId() + '\u0000' + t.getStep())) {
            return false;
        }
        sizes.merge(t.getSource(), 1L, Long::sum);
        return true;
    }

    public synchronized long size(Source source) {
        return sizes.getOrDefault(source, 0L);
    }
}
