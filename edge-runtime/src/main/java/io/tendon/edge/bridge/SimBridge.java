package io.tendon.edge.bridge;

import io.tendon.edge.control.ControlMetrics;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.ControlTask;
import io.tendon.edge.control.SimulatedClockPacer;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.TargetSource;
import io.tendon.edge.control.WallClockPacer;
import io.tendon.edge.sim.ExpertRole;
import io.tendon.edge.sim.PolicyStepListener;
import io.tendon.edge.sim.PolicyStepRing;
import io.tendon.edge.sim.SimEpisodeRunner;
import io.tendon.edge.sim.SimSettings;
import java.util.concurrent.locks.LockSupport;

/**
 * The built-in simulator as the robot: peg-in-hole episodes, one after another, with the
 * control loop in between, paced by the wall clock (real time) or a simulated clock (as fast
 * as the CPU allows, deterministic).
 */
public final class SimBridge implements Bridge {

    private final SimEpisodeRunner runner;
    private final Runnable pacer;
    private final Runnable stopper;

    public SimBridge(ControlSettings control, SimSettings sim, boolean simulatedClock, TargetSource policy,
                     TargetBuffer human, ExpertRole expertRole, ControlMetrics metrics, PolicyStepListener listener) {
        this.runner = SimEpisodeRunner.builder(control, sim).policy(policy).human(human).expert(expertRole)
                .metrics(metrics).listener(listener).build();
        if (simulatedClock) {
            // Simulated time owes nothing to the wall clock: rather than let the listener fall
            // behind and lose steps, wait while it catches up.
            ControlTask task = runner;
            if (listener instanceof PolicyStepRing ring) {
                int highWater = ring.capacity() * 3 / 4;
                task = now -> {
                    while (ring.size() > highWater) {
                        LockSupport.parkNanos(200_000);
                    }
                    runner.tick(now);
                };
            }
            SimulatedClockPacer p = new SimulatedClockPacer(control.periodNanos, System.nanoTime(), task);
            pacer = p;
            stopper = p::stop;
        } else {
            WallClockPacer p = new WallClockPacer(control.periodNanos, control.spinWindowNanos, runner, metrics);
            pacer = p;
            stopper = p::stop;
        }
    }

    @Override
    public String name() {
        return "sim";
    }

    @Override
    public boolean robotConnected() {
        return true;
    }

    @Override
    public Runnable controlLoop() {
        return pacer;
    }

    @Override
    public void stop() {
        stopper.run();
    }

    @Override
    public String episodeId() {
        return "sim-seed-" + runner.episodeSeed();
    }

    public SimEpisodeRunner runner() {
        return runner;
    }
}
