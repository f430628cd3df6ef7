package io.tendon.learner.replay;

import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.learner.record.DecodedTransition;
import io.tendon.learner.record.TransitionDecoder;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.Transitions;

/**
 * Transitions whose contents say who they are: latent[0] = robot number, latent[1] = episode
 * number, latent[2] = step, and every value of the chunk, rewards and s' derive from them, so a
 * sampled row can be checked for being one intact transition.
 */
public final class Fixtures {

    private Fixtures() {
    }

    public static Transition.Builder transition(int robot, int episode, long step, Source source) {
        Transition.Builder b = Transitions.valid("robot-" + robot, "ep-" + episode, step).setSource(source);
        b.setObservation(marked(b.getObservation(), robot, episode, step, 0f));
        b.setNextObservation(marked(b.getNextObservation(), robot, episode, step, 0.5f));
        b.setExecutedChunk(b.getExecutedChunk().toBuilder().setValues(12, step + 0.25f));
        b.setRewards(0, signature(robot, episode, step));
        return b;
    }

    /** The value put into rewards[0] (and derivable from the state) of a fixture row. */
    public static float signature(int robot, int episode, long step) {
        return robot * 1000f + episode * 10f + step * 0.001f;
    }

    private static Observation marked(Observation o, int robot, int episode, long step, float next) {
        return o.toBuilder().setLatent(0, robot).setLatent(1, episode).setLatent(2, step).setLatent(3, next).build();
    }

    public static DecodedTransition decode(Transition t, LayoutConfig layout) {
        DecodedTransition d = new DecodedTransition(layout);
        try {
            new TransitionDecoder().decode(t.toByteArray(), d);
        } catch (TransitionDecoder.MalformedException e) {
            throw new AssertionError(e);
        }
        return d;
    }
}
