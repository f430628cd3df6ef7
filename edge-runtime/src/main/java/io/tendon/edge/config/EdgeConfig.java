package io.tendon.edge.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * Service-level settings of the edge runtime, declared once with unit and bounds and
 * validated at start-up. Real-time parameters (control, admittance, safety) are declared in
 * the control package itself, which imports no framework.
 */
@ConfigMapping(prefix = "tendon.edge")
public interface EdgeConfig {

    /** This robot's identity: the Kafka key of its transitions. [A-Za-z0-9._:-], 1-128 characters. */
    @WithDefault("robot-0")
    @Pattern(regexp = "[A-Za-z0-9._:-]{1,128}")
    String robotId();

    /**
     * Where the robot is: {@code sim} (the built-in peg-in-hole simulator with the scripted
     * expert) or {@code grpc} (a robot-side driver connects to the RobotBridge service).
     */
    @WithDefault("sim")
    @Pattern(regexp = "sim|grpc")
    String bridge();

    /**
     * How control ticks are paced: {@code wall} (deadline-driven at tendon.control.rate-hz),
     * {@code robot} (one tick per incoming robot state), {@code simulated} (as fast as the CPU
     * allows on a simulated clock), or {@code auto}: wall for sim, robot for grpc. The grpc
     * bridge runs robot-clocked only; sim runs wall or simulated.
     */
    @WithDefault("auto")
    @Pattern(regexp = "auto|wall|robot|simulated")
    String clock();

    /**
     * With the sim bridge, what the scripted expert does: {@code demonstrator} (it is the
     * policy: scripted demonstrations), {@code human} (it is the simulated person on the teleop
     * side, overriding the installed policy) or {@code none} (only the installed policy acts).
     */
    @WithDefault("demonstrator")
    @Pattern(regexp = "demonstrator|human|none")
    String simExpert();

    @Valid
    Topics topics();

    @Valid
    Publisher publisher();

    @Valid
    Robot robot();

    /** With tendon.edge.bridge=grpc: how a real robot's control ticks become policy steps and rewards. */
    interface Robot {
        /** Policy steps per second of the robot's clock, Hz (1-1000); set it to the policy's rate. */
        @WithDefault("10")
        @DecimalMin("1")
        @DecimalMax("1000")
        double stepRateHz();

        /** Reward of the step in which an operator marks the episode SUCCESS (-1e6 to 1e6). */
        @WithDefault("10")
        @DecimalMin("-1e6")
        @DecimalMax("1e6")
        double successReward();

        /** Reward of the step in which an operator marks the episode FAILURE (-1e6 to 1e6). */
        @WithDefault("-5")
        @DecimalMin("-1e6")
        @DecimalMax("1e6")
        double failureReward();
    }

    interface Topics {
        @WithDefault("tendon.transitions")
        @NotBlank
        String transitions();

        @WithDefault("tendon.policy-updates")
        @NotBlank
        String policyUpdates();

        @WithDefault("tendon.episode-events")
        @NotBlank
        String episodeEvents();
    }

    interface Publisher {
        /** Transitions waiting for the publisher thread before new ones are refused (1-1000000). */
        @WithDefault("4096")
        @Min(1)
        @Max(1_000_000)
        int queueCapacity();

        /** Memory the Kafka producer may hold while the broker is away, MiB (1-4096). */
        @WithDefault("64")
        @Min(1)
        @Max(4096)
        int bufferMib();
    }
}
