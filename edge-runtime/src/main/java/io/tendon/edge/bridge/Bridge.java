package io.tendon.edge.bridge;

/** Where the control loop's robot is, and how its ticks are paced. */
public interface Bridge {

    /** "sim" or "grpc". */
    String name();

    /** True while a robot (or the simulator) supplies states. Any thread. */
    boolean robotConnected();

    /** What runs on the control thread until {@link #stop()}. */
    Runnable controlLoop();

    /** Any thread: ends {@link #controlLoop()} and the bridge's own threads. */
    void stop();

    /** Current episode id where the bridge knows it ("" otherwise). Any thread. */
    String episodeId();
}
