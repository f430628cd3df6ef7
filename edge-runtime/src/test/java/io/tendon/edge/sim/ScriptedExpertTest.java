package io.tendon.edge.sim;

import io.tendon.edge.step.EpisodeOutcome;
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
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, sim).firstSeed(Long.getLong("expert.seed", 100))
                .listener(s -> {
                    if (s.outcome != EpisodeOutcome.RUNNING) {
                        log.append(String.format("seed %d: %s after %.2f s (phase %d, peak Fz %.1f)%n", s.seed,
                                EpisodeOutcome.name(s.outcome), s.nextObservation.time, holder[0].expert().phase(),
                                s.nextObservation.wrenchPeak[2]));
                    }
                }).build();
        holder[0] = runner;
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        int episodes = Integer.getInteger("expert.episodes", 20);
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

    /**
     * The expert takes over from wherever someone else left the arm: a person lifts the peg
     * 3 cm above the table in the middle of the expert's search and hands back; the expert
     * starts over instead of driving a stale, deep target into the table.
     */
    @Test
    void expertRecoversWhenAPersonMovedTheArm() {
        ControlSettings control = ControlSettings.defaults();
        io.tendon.edge.control.TargetBuffer teleop = new io.tendon.edge.control.TargetBuffer();
        SimEpisodeRunner runner = SimEpisodeRunner.builder(control, SimSettings.defaults()).firstSeed(2).human(teleop)
                .build();
        SimulatedClockPacer pacer = new SimulatedClockPacer(control.periodNanos, 0, runner);
        int successes = 0;
        for (int episode = 0; episode < 10; episode++) {
            long done = runner.episodes();
            // Let the expert get into contact, then take over for 1.5 s and hand back.
            while (runner.expert().phase() < ScriptedExpert.SEARCH && runner.episodes() == done) {
                pacer.run(10);
            }
            if (runner.episodes() > done) {
                successes += runner.successes() > successes ? 1 : 0;
                continue;
            }
            double[] hover = new double[6];
            runner.sample().pose.toVector(hover, 0);
            hover[2] = 0.03;
            for (int i = 0; i < 15; i++) {
                io.tendon.edge.control.Targets t = teleop.beginWrite();
                System.arraycopy(hover, 0, t.pose, 0, 6);
                System.arraycopy(hover, 0, t.virtualTarget, 0, 6);
                t.scalarStiffness = false;
                java.util.Arrays.fill(t.stiffness, 0, 3, 1000);
                java.util.Arrays.fill(t.stiffness, 3, 6, 50);
                t.human = true;
                t.createdNanos = pacer.now();
                teleop.publish();
                pacer.run(100);
            }
            assertTrue(runner.sample().pose.position[2] > 0.025, "the person lifted the peg");
            io.tendon.edge.control.Targets back = teleop.beginWrite();
            back.human = false;
            back.createdNanos = pacer.now();
            teleop.publish();
            while (runner.episodes() == done) {
                pacer.run(100);
            }
            successes = (int) runner.successes();
        }
        assertTrue(runner.failures() == 0, "no force-limit failures after hand-backs");
        assertTrue(successes >= 9, "successes after hand-back " + successes + "/10");
    }
}
