package io.tendon.edge.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Command;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.ControlSettings;
import io.tendon.edge.control.LatestValue;
import io.tendon.edge.control.RobotSample;
import io.tendon.edge.control.TargetBuffer;
import io.tendon.edge.control.Targets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Robot-clocked pacing: one tick per state, on the control thread, a command for each. */
class RobotClockedPacerTest {

    /** A robot whose states and commands cross threads the way the gRPC link's do. */
    static final class HandOffRobot implements RobotIo {
        final LatestValue<RobotSample> states = new LatestValue<>(RobotSample::new);
        final LatestValue<Command> commands = new LatestValue<>(Command::new);
        private Command command = commands.beginWrite();

        @Override
        public RobotSample read(long nowNanos) {
            return states.take();
        }

        @Override
        public boolean restarted() {
            return false;
        }

        @Override
        public Command command() {
            return command;
        }

        @Override
        public void write(long nowNanos, Command c) {
            commands.publish();
            command = commands.beginWrite();
        }

        @Override
        public int outcome(long nowNanos) {
            return EpisodeOutcome.RUNNING;
        }

        @Override
        public double reward(int outcome) {
            return 0;
        }

        @Override
        public void observe(long nowNanos, StepObservation o) {
            o.featuresPresent = true;
        }

        @Override
        public long episodeIndex() {
            return 0;
        }

        @Override
        public long episodeSeed() {
            return 0;
        }

        @Override
        public int featureDim() {
            return 0;
        }

        @Override
        public int latentDim() {
            return 0;
        }
    }

    @Test
    void robotClockedPacerTicksOncePerStateOnTheControlThread() throws Exception {
        ControlSettings s = ControlSettings.defaults();
        TargetBuffer policy = new TargetBuffer();
        HandOffRobot robot = new HandOffRobot();
        ControlCounters counters = new ControlCounters();
        RobotLoop loop = new RobotLoop(s, policy, new TargetBuffer(), counters, robot, 10);
        RobotClockedPacer pacer = new RobotClockedPacer(loop, robot.states::bindReader, 5_000_000);
        AtomicReference<Thread> tickThread = new AtomicReference<>();
        Thread control = new Thread(() -> {
            tickThread.set(Thread.currentThread());
            pacer.run();
        }, "tendon-control-test");
        control.start();
        Targets t = policy.beginWrite();
        t.virtualTarget[0] = 0.5;
        t.pose[0] = 0.5;
        t.virtualTarget[2] = 0.1;
        t.pose[2] = 0.1;
        for (int i = 0; i < 6; i++) {
            t.stiffness[i] = i < 3 ? 1000 : 50;
        }
        t.createdNanos = System.nanoTime();
        policy.publish();
        Thread.sleep(20);
        robot.commands.bindReader(Thread.currentThread());
        for (long seq = 1; seq <= 50; seq++) {
            RobotSample sample = robot.states.beginWrite();
            sample.sequence = seq;
            sample.receivedNanos = System.nanoTime();
            sample.pose.set(0.5, 0, 0.1, 1, 0, 0, 0);
            robot.states.publish();
            Command c;
            long deadline = System.nanoTime() + 2_000_000_000L;
            while ((c = robot.commands.take()) == null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertNotNull(c, "a command answers state " + seq);
            assertEquals(seq, c.stateSequence);
            assertTrue(c.valid);
        }
        pacer.stop();
        LockSupport.unpark(control);
        control.join(2000);
        assertSame(control, tickThread.get());
        assertEquals(50, counters.ticks.get(), "one tick per state");
    }
}
