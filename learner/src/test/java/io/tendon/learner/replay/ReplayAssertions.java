package io.tendon.learner.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tendon.schemas.v1.Source;
import java.util.Arrays;

/** Compares two replay buffers row by row, oldest first, with everything a row carries. */
public final class ReplayAssertions {

    private ReplayAssertions() {
    }

    public static void assertSameContents(ReplayBuffer expected, ReplayBuffer actual) {
        for (int t = 0; t < 3; t++) {
            ReplayTable a = expected.tables[t];
            ReplayTable b = actual.tables[t];
            assertEquals(a.size, b.size, "rows of " + a.source);
            assertEquals(a.ineligible, b.ineligible, "unsampleable rows of " + a.source);
            for (int age = 0; age < a.size; age++) {
                int sa = a.slotOfAge(age);
                int sb = b.slotOfAge(age);
                String where = a.source + " row " + age;
                assertEquals(a.stepOf(sa), b.stepOf(sb), where);
                assertEquals(a.flagsOf(sa), b.flagsOf(sb), where);
                Episode ea = expected.episodes.get(a.episodeOf(sa));
                Episode eb = actual.episodes.get(b.episodeOf(sb));
                assertEquals(ea.robotId, eb.robotId, where);
                assertEquals(ea.episodeId, eb.episodeId, where);
                assertEquals(ea.weight, eb.weight, where);
                assertArrayEquals(a.floatsOf(sa), b.floatsOf(sb), where);
                assertArrayEquals(a.masksOf(sa), b.masksOf(sb), where);
                if (a.priority != null && b.priority != null) {
                    assertEquals(a.priority[sa], b.priority[sb], where);
                    assertEquals(a.tree.get(sa), b.tree.get(sb), where);
                }
            }
        }
        assertEquals(expected.episodeCount(), actual.episodeCount(), "episodes");
        assertEquals(expected.limiterDiff(), actual.limiterDiff(), "rate limiter credit");
        assertEquals(expected.sampleInsertRatio(), actual.sampleInsertRatio(), "sample/insert ratio");
    }

    /** For each "robot/episode", its steps in the order they were inserted (all tables, oldest first per table). */
    public static java.util.Map<String, java.util.List<Long>> stepsInInsertOrder(ReplayBuffer replay, Source source) {
        java.util.Map<String, java.util.List<Long>> steps = new java.util.TreeMap<>();
        ReplayTable t = replay.tables[source.getNumber() - 1];
        for (int age = 0; age < t.size; age++) {
            int slot = t.slotOfAge(age);
            Episode e = replay.episodes.get(t.episodeOf(slot));
            steps.computeIfAbsent(e.robotId + "/" + e.episodeId, k -> new java.util.ArrayList<>()).add(t.stepOf(slot));
        }
        return steps;
    }

}
