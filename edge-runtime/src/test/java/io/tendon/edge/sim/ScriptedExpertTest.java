package io.tendon.edge.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.SimulatedClockPacer;
import org.junit.jupiter.api.Test;

/** The scripted expert solves the task: it is the demonstrator and the simulated human. */
class ScriptedExpertTest {

    @Test
    void expertSucceedsInMostSeededEpisodes() {
        ControlSettings control = ControlSettings.defaults();
        SimSettings sim = SimSettings.defaults();
        int[] phaseAtEnd = new int[1];
        StringBuilder log = new StringBuilder();
        SimEpisodeRunner[] holder = new SimEpisodeRunner[1];
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(100)
                .listener(s -> {
                    if (s.outcome != EpisodeOutcome.RUNNING) {
                        log.append(String.format("seed %d: %s after %.2f s (phase %d, peak Fz %.1f)%n", s.seed,
                                EpisodeOutcome.name(s.outcome), s.nextObservation.time, holder[0].expert().phase(),
                                s.wrenchPeak[2]));
                    }
                }).build();
        holder[0] = runner;
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        int episodes = 20;
        long start = System.nanoTime();
        while (runner.episodes() < episodes) {
            pacer.run(1000);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        System.out.print(log);
        System.out.printf("successes %d/%d, failures %d, timeouts %d; %.1f s simulated in %.2f s%n",
                runner.successes(), episodes, runner.failures(), runner.timeouts(), pacer.now() / 1e9, wall);
        assertTrue(runner.successes() >= 18, "expert success rate " + runner.successes() + "/" + episodes);
    }
}
