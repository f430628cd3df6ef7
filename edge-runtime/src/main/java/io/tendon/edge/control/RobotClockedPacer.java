package io.tendon.edge.control;

import java.util.concurrent.locks.LockSupport;

/**
 * Robot-clocked pacing, the way arm interfaces such as Franka FCI or UR RTDE push state: one
 * tick per incoming robot state. The bridge (a gRPC thread) fills a {@link Mailbox} slot and
 * publishes it, which unparks this loop's thread, so the tick itself runs here on the control
 * thread. Each command goes out through a second mailbox to the sender thread. When no state
 * arrives within the idle timeout the loop reports it ({@link ControlLoop#idle}).
 */
public final class RobotClockedPacer implements Runnable {

    private final Mailbox<RobotSample> states;
    private final Mailbox<Command> commands;
    private final ControlLoop loop;
    private final ControlMetrics metrics;
    private final long idleTimeoutNanos;
    private volatile boolean running = true;

    public RobotClockedPacer(Mailbox<RobotSample> states, Mailbox<Command> commands, ControlLoop loop,
                             long idleTimeoutNanos) {
        this.states = states;
        this.commands = commands;
        this.loop = loop;
        this.metrics = loop.metrics();
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** Ticks until {@link #stop()}. Call on the dedicated control thread. */
    @Override
    public void run() {
        states.bindReader(Thread.currentThread());
        long lastActivity = System.nanoTime();
        while (running) {
            RobotSample sample = states.take();
            long now = System.nanoTime();
            if (sample == null) {
                if (now - lastActivity > idleTimeoutNanos) {
                    loop.idle(now);
                    lastActivity = now;
                }
                LockSupport.parkNanos(idleTimeoutNanos);
                continue;
            }
            lastActivity = now;
            metrics.recordJitter(now - sample.receivedNanos);
            Command out = commands.beginWrite();
            loop.tick(now, sample, out);
            commands.publish();
        }
    }

    /** Any thread: the loop ends at its next wake-up. */
    public void stop() {
        running = false;
    }
}
