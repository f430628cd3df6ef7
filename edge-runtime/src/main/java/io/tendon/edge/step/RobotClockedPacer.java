package io.tendon.edge.step;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Robot-clocked pacing, the way arm interfaces such as Franka FCI or UR RTDE push state: one
 * tick per incoming robot state. The robot link (a gRPC thread) publishes each state and wakes
 * this loop's thread, so the tick itself runs here on the control thread. When no state
 * arrives within the idle timeout the loop reports it ({@link RobotLoop#idle}).
 */
public final class RobotClockedPacer implements Runnable {

    private final RobotLoop loop;
    private final Consumer<Thread> bindWaker;
    private final long idleTimeoutNanos;
    private volatile boolean running = true;

    /**
     * @param bindWaker told which thread to wake when a state arrives (the link's state hand-off)
     */
    public RobotClockedPacer(RobotLoop loop, Consumer<Thread> bindWaker, long idleTimeoutNanos) {
        this.loop = loop;
        this.bindWaker = bindWaker;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** Ticks until {@link #stop()}. Call on the dedicated control thread. */
    @Override
    public void run() {
        bindWaker.accept(Thread.currentThread());
        long lastActivity = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (loop.tickOnNewState(now)) {
                lastActivity = now;
                continue;
            }
            if (now - lastActivity > idleTimeoutNanos) {
                loop.idle(now);
                lastActivity = now;
            }
            LockSupport.parkNanos(idleTimeoutNanos);
        }
    }

    /** Any thread: the loop ends at its next wake-up. */
    public void stop() {
        running = false;
    }
}
