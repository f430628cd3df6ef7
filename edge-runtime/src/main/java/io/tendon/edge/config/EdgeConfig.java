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
import java.util.List;
import java.util.Optional;

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

    @Valid
    Updates updates();

    /**
     * Signed policy updates in (tendon.edge.updates.*): where they come from, which keys are
     * trusted, what the receiver holds, and when an applied update is checked and rolled back.
     */
    interface Updates {
        /** Receive, verify and apply policy updates for the loaded bundle (needs a bundle). */
        @WithDefault("true")
        boolean enabled();

        /**
         * Trusted public keys (X.509 PEM, Ed25519): files, or directories holding one key per file
         * (a mounted Kubernetes Secret), comma-separated. Several at once for key rotation. None:
         * every update is refused (unknown_key).
         */
        Optional<List<@Pattern(regexp = ".*\\S.*", message = "must name a file or directory") String>> trustedKeys();

        /** How often the trusted keys are read again (a rotated Secret takes effect), s (1-86400). */
        @WithDefault("10")
        @Min(1)
        @Max(86_400)
        int trustedKeysReloadSeconds();

        /** Where verified updates, the high-water mark, bad versions and the pin are kept (one directory per policy id). */
        @WithDefault(".tendon/edge/policy-cache")
        @NotBlank
        String cacheDir();

        /** Kafka consumer group of this robot's update receiver; default tendon-edge-{robot-id}. */
        Optional<@Pattern(regexp = "[A-Za-z0-9._-]{1,249}") String> groupId();

        /** Largest part_count accepted (1-1000000). */
        @WithDefault("4096")
        @Min(1)
        @Max(1_000_000)
        int maxParts();

        /** Largest total_size_bytes of one update accepted, bytes (1 KiB-4 GiB). */
        @WithDefault("536870912")
        @Min(1024)
        @Max(4_294_967_296L)
        long maxUpdateBytes();

        /** Payload bytes held for incomplete updates at most, bytes (1 KiB-16 GiB). */
        @WithDefault("1073741824")
        @Min(1024)
        @Max(17_179_869_184L)
        long maxHeldBytes();

        /** An update whose parts have not all arrived after this long is discarded, s (1-86400). */
        @WithDefault("300")
        @Min(1)
        @Max(86_400)
        int incompleteTimeoutSeconds();

        @Valid
        Shadow shadow();

        @Valid
        Rollback rollback();

        /** How far an update may act from the running policy on the same recent observation. */
        interface Shadow {
            /** TCP and virtual-target position, m (0-10). */
            @WithDefault("0.05")
            @DecimalMin("0")
            @DecimalMax("10")
            double maxPositionM();

            /** TCP and virtual-target orientation, rad (0-3.15). */
            @WithDefault("0.5")
            @DecimalMin("0")
            @DecimalMax("3.15")
            double maxOrientationRad();

            /** Stiffness, N/m (rotational N*m/rad) (0-1e6). */
            @WithDefault("2000")
            @DecimalMin("0")
            @DecimalMax("1e6")
            double maxStiffnessNPerM();
        }

        /** When an applied update is taken back automatically. */
        interface Rollback {
            /** How long after a swap safety trips and policy faults are watched, s (0.1-3600). */
            @WithDefault("10")
            @DecimalMin("0.1")
            @DecimalMax("3600")
            double windowSeconds();

            /** Control ticks with one of the trip reasons below that roll the update back when exceeded (0-1e9). */
            @WithDefault("200")
            @Min(0)
            @Max(1_000_000_000)
            long maxSafetyTrips();

            /** Safety trip reasons counted (robot.proto SafetyTrip names). */
            @WithDefault("NON_FINITE,WORKSPACE,FORCE_LIMIT")
            List<@Pattern(regexp = "NON_FINITE|STIFFNESS_CLAMPED|WORKSPACE|STEP_LIMIT|VELOCITY_LIMIT|ACCELERATION_LIMIT|FORCE_LIMIT|WATCHDOG")
                    String> tripReasons();

            /** Policy faults (non-finite actions, missed deadlines, failed steps) that roll it back when exceeded (0-1e9). */
            @WithDefault("20")
            @Min(0)
            @Max(1_000_000_000)
            long maxPolicyFaults();
        }
    }

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

    /** tendon.edge.transitions.*: how policy steps are cut into transitions. */
    Transitions transitions();

    interface Transitions {
        /**
         * Policy steps between the first steps of consecutive transitions (1-256, at most the
         * layout's horizon); 0 (default): the horizon, windows that do not overlap. 1 gives a
         * transition for every step (H times the records, each step in H of them).
         */
        @WithDefault("0")
        @Min(0)
        @Max(256)
        int stride();
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
