package io.tendon.edge.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.LatencyHistogram;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.metrics.LatencyHistograms;
import io.tendon.edge.step.RobotLoop;

/**
 * Micrometer meters over the control loop's counters. The control thread only writes plain
 * counters and histogram buckets ({@link ControlCounters}); these meters read them when
 * scraped, on the scraping thread. Tick compute time and jitter are Prometheus histograms
 * ({@link LatencyHistograms}), so they sum across robots and windows.
 */
final class ControlMeterBinding {

    private ControlMeterBinding() {
    }

    static void register(MeterRegistry r, ControlService service) {
        ControlCounters m = service.metrics();
        FunctionCounter.builder("tendon.edge.control.ticks", m, x -> x.ticks.get())
                .description("Control ticks run").register(r);
        FunctionCounter.builder("tendon.edge.control.deadline.misses", m, x -> x.deadlineMisses.get())
                .description("Tick slots skipped because the loop was a whole period late (wall clock)").register(r);
        Gauge.builder("tendon.edge.control.rate", service, ControlService::rateHz).baseUnit("hertz")
                .description("Ticks per second over the last second").register(r);
        latency(r, "tendon.edge.control.tick.compute", m.compute, "Admittance + safety compute time per tick");
        latency(r, "tendon.edge.control.tick.jitter", m.jitter,
                "Tick start lateness: behind the deadline (wall clock) or the state's arrival (robot clock)");
        for (int i = 0; i < SafetyTrips.COUNT; i++) {
            int reason = i;
            FunctionCounter.builder("tendon.edge.control.safety.trips", m, x -> x.trips(reason))
                    .tag("reason", SafetyTrips.name(i)).description("Ticks in which a safety stage changed the command")
                    .register(r);
        }
        Gauge.builder("tendon.edge.control.watchdog.holding", m, x -> x.holding() ? 1 : 0)
                .description("1 while the watchdog holds the last safe pose").register(r);
        FunctionCounter.builder("tendon.edge.control.watchdog.holds", m, x -> x.holdsEntered.get())
                .description("Times the watchdog started holding").register(r);
        Gauge.builder("tendon.edge.control.intervention.engaged", m, x -> x.humanEngaged() ? 1 : 0)
                .description("1 while a person is in control").register(r);
        FunctionCounter.builder("tendon.edge.control.intervention.ticks", m, x -> x.ticksHumanEngaged.get())
                .description("Ticks during which a person was in control").register(r);
        FunctionCounter.builder("tendon.edge.teleop.samples", service, ControlService::teleopAccepted)
                .tag("result", "accepted").description("Teleop samples by result").register(r);
        FunctionCounter.builder("tendon.edge.teleop.samples", service, ControlService::teleopDropped)
                .tag("result", "dropped").description("Teleop samples by result").register(r);

        GrpcRobotLink link = service.robotLink();
        Gauge.builder("tendon.edge.bridge.connected", service, s -> s.robotConnected() ? 1 : 0)
                .description("1 while a robot (or the simulator) supplies states").register(r);
        if (link != null) {
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesAccepted.get())
                    .tag("result", "accepted").description("Robot states received, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesOutOfOrder.get())
                    .tag("result", "out_of_order").description("Robot states received, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesStale.get())
                    .tag("result", "stale").description("Robot states received, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesSuperseded.get())
                    .tag("result", "superseded").description("Robot states received, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesUnanswered.get())
                    .tag("result", "unanswered").description("Robot states received, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.commands", link, l -> l.commandsSent.get())
                    .tag("kind", "own").description("Commands sent, for the state they were computed on or"
                            + " (superseded) for a state the loop skipped for a newer one").register(r);
            FunctionCounter.builder("tendon.edge.bridge.commands", link, l -> l.commandsSuperseded.get())
                    .tag("kind", "superseded").description("Commands sent, for the state they were computed on or"
                            + " (superseded) for a state the loop skipped for a newer one").register(r);
            for (GrpcRobotLink.End why : GrpcRobotLink.End.values()) {
                FunctionCounter.builder("tendon.edge.bridge.sessions.ended", link, l -> l.sessionsEnded(why))
                        .description("Robot driver sessions ended, by reason").tag("reason", why.tag).register(r);
            }
            FunctionCounter.builder("tendon.edge.bridge.connections", link, l -> l.connections.get())
                    .tag("result", "accepted").description("Robot driver connections, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.connections", link, l -> l.connectionsRefused.get())
                    .tag("result", "refused").description("Robot driver connections, by result")
                    .register(r);
            FunctionCounter.builder("tendon.edge.bridge.states", link, l -> l.statesBadFeatures.get())
                    .tag("result", "bad_features").description("Robot states received, by result")
                    .register(r);
        }
        RobotLoop loop = service.robotLoop();
        String episodes = service.simRobot() != null ? "tendon.edge.sim.episodes" : "tendon.edge.episodes";
        String ended = "Ended episodes by outcome";
        FunctionCounter.builder(episodes, loop, RobotLoop::successes).tag("outcome", "success").description(ended)
                .register(r);
        FunctionCounter.builder(episodes, loop, RobotLoop::failures).tag("outcome", "failure").description(ended)
                .register(r);
        FunctionCounter.builder(episodes, loop, RobotLoop::timeouts).tag("outcome", "timeout").description(ended)
                .register(r);
        FunctionCounter.builder("tendon.edge.steps.dropped", service.policySteps(), x -> x.dropped())
                .description("Policy steps dropped because the step dispatcher fell behind").register(r);
    }

    /**
     * A Prometheus histogram (buckets, sum, count) read from the control thread's own buckets at
     * scrape time, and the largest value since start.
     */
    private static void latency(MeterRegistry r, String name, LatencyHistogram h, String description) {
        new LatencyHistograms(name.replace('.', '_'), description).add(h).registerWith(r);
        Gauge.builder(name + ".max", h, x -> x.max() / 1e9).baseUnit("seconds")
                .description(description + ": the largest since start").register(r);
    }
}
