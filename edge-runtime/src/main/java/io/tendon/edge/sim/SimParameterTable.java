package io.tendon.edge.sim;

import io.tendon.edge.control.ParameterSpec;
import java.util.List;

/** Every parameter of the simulator and its scripted expert, declared once (key, unit, bounds, default). */
public final class SimParameterTable {

    private SimParameterTable() {
    }

    public static final ParameterSpec SEED = ParameterSpec.whole("tendon.sim.seed", "1", 0, 1L << 53, 1,
            "Seed of the first episode; episode n uses seed + n.");
    public static final ParameterSpec STEP_RATE_HZ = ParameterSpec.whole("tendon.sim.step-rate-hz", "Hz", 1, 100, 10,
            "Policy steps per second: how often the expert acts and the step hook is called.");
    public static final ParameterSpec EPISODE_TIMEOUT = ParameterSpec.real("tendon.sim.episode-timeout", "s", 1, 600, 20,
            "An episode that has not succeeded after this long is truncated.");
    public static final ParameterSpec HOLE_X = ParameterSpec.real("tendon.sim.hole-x", "m", -3, 3, 0.5,
            "Nominal x of the hole centre, base frame.");
    public static final ParameterSpec HOLE_Y = ParameterSpec.real("tendon.sim.hole-y", "m", -3, 3, 0.0,
            "Nominal y of the hole centre, base frame.");
    public static final ParameterSpec HOLE_RANDOMISATION = ParameterSpec.real("tendon.sim.hole-randomisation", "m", 0, 0.02,
            0.005, "Each reset moves the hole uniformly within +- this much in x and y.");
    public static final ParameterSpec HOLE_ESTIMATE_NOISE = ParameterSpec.real("tendon.sim.hole-estimate-noise", "m", 0,
            0.005, 0.001, "Standard deviation (per axis, clipped at 3 sigma) of the hole estimate in the observation.");
    public static final ParameterSpec HOLE_ESTIMATE_OFFSET_X = ParameterSpec.real("tendon.sim.hole-estimate-offset-x", "m",
            -0.02, 0.02, 0, "Systematic error of the hole estimate in x (a camera calibration offset), the same in every episode.");
    public static final ParameterSpec HOLE_ESTIMATE_OFFSET_Y = ParameterSpec.real("tendon.sim.hole-estimate-offset-y", "m",
            -0.02, 0.02, 0, "Systematic error of the hole estimate in y, the same in every episode.");
    public static final ParameterSpec CLEARANCE = ParameterSpec.real("tendon.sim.clearance", "m", 0.0001, 0.005, 0.0005,
            "Diametral clearance between peg and hole.");
    public static final ParameterSpec PEG_RADIUS = ParameterSpec.real("tendon.sim.peg-radius", "m", 0.002, 0.03, 0.005,
            "Radius of the peg.");
    public static final ParameterSpec HOLE_DEPTH = ParameterSpec.real("tendon.sim.hole-depth", "m", 0.005, 0.1, 0.02,
            "Depth of the hole; full insertion depth means success.");
    public static final ParameterSpec START_HEIGHT = ParameterSpec.real("tendon.sim.start-height", "m", 0.005, 0.3, 0.05,
            "Height of the peg tip above the table at reset.");
    public static final ParameterSpec FRICTION = ParameterSpec.real("tendon.sim.friction", "1", 0, 1.5, 0.3,
            "Coulomb friction coefficient peg/table and peg/hole.");
    public static final ParameterSpec CONTACT_STIFFNESS = ParameterSpec.real("tendon.sim.contact-stiffness", "N/m", 1e4, 1e7,
            2e5, "Penalty stiffness of contacts.");
    public static final ParameterSpec ARM_BANDWIDTH_HZ = ParameterSpec.real("tendon.sim.arm-bandwidth-hz", "Hz", 5, 200, 30,
            "Bandwidth of the arm's inner position loop (critically damped PD).");
    public static final ParameterSpec ARM_MASS = ParameterSpec.real("tendon.sim.arm-mass", "kg", 0.5, 50, 2,
            "Effective Cartesian mass of the arm at the TCP.");
    public static final ParameterSpec FORCE_LIMIT = ParameterSpec.real("tendon.sim.force-limit", "N", 5, 1000, 80,
            "A contact force above this ends the episode as a failure.");
    public static final ParameterSpec WRENCH_NOISE_FORCE = ParameterSpec.real("tendon.sim.wrench-noise-force", "N", 0, 5, 0.2,
            "Standard deviation of the force sensor noise per axis.");
    public static final ParameterSpec WRENCH_NOISE_TORQUE = ParameterSpec.real("tendon.sim.wrench-noise-torque", "N*m", 0, 0.5,
            0.01, "Standard deviation of the torque sensor noise per axis.");
    public static final ParameterSpec TOOL_MASS = ParameterSpec.real("tendon.sim.tool-mass", "kg", 0, 20, 0.3,
            "True mass of the simulated tool (the controller compensates its configured tool mass).");
    public static final ParameterSpec EXPERT_NOISE = ParameterSpec.real("tendon.sim.expert-noise", "m", 0, 0.01, 0.0001,
            "Standard deviation of the noise the scripted expert adds to its target positions.");

    public static final ParameterSpec DEMO_EPISODES = ParameterSpec.whole("tendon.sim.demo-episodes", "1", 0, 1_000_000, 0,
            "Episodes the scripted expert demonstrates first, in the lab cell (no estimate offset); then the robot"
                    + " waits for a learned policy. 0: it demonstrates until a learned policy takes over.");
    public static final ParameterSpec PERSON_RATE = ParameterSpec.real("tendon.sim.person-rate", "1", 0, 1, 0,
            "Share of training episodes a simulated person watches and takes over when the policy heads for failure.");
    public static final ParameterSpec PERSON_STUCK_SECONDS = ParameterSpec.real("tendon.sim.person-stuck-seconds", "s", 0.1,
            60, 1.5, "The person takes over when the peg has pressed on the table this long without going in.");
    public static final ParameterSpec PERSON_GIVE_UP_SECONDS = ParameterSpec.real("tendon.sim.person-give-up-seconds", "s",
            0.1, 600, 12, "The person takes over when a training episode has run this long.");
    public static final ParameterSpec EXPLORATION_OFFSET = ParameterSpec.real("tendon.sim.exploration-offset", "m", 0, 0.01,
            0, "Standard deviation (per axis) of an offset added to the learned policy's target positions for a whole"
                    + " training episode (exploration); none in evaluation episodes.");
    public static final ParameterSpec SPEED = ParameterSpec.real("tendon.sim.speed", "1", 0, 1000, 0,
            "Simulated clock only: simulated seconds per wall-clock second at most; 0 runs as fast as the machine can.");

    public static final List<ParameterSpec> ALL = List.of(SEED, STEP_RATE_HZ, EPISODE_TIMEOUT, HOLE_X, HOLE_Y,
            HOLE_RANDOMISATION, HOLE_ESTIMATE_NOISE, HOLE_ESTIMATE_OFFSET_X, HOLE_ESTIMATE_OFFSET_Y, CLEARANCE, PEG_RADIUS, HOLE_DEPTH, START_HEIGHT, FRICTION,
            CONTACT_STIFFNESS, ARM_BANDWIDTH_HZ, ARM_MASS, FORCE_LIMIT, WRENCH_NOISE_FORCE, WRENCH_NOISE_TORQUE,
            TOOL_MASS, EXPERT_NOISE, DEMO_EPISODES, PERSON_RATE, PERSON_STUCK_SECONDS, PERSON_GIVE_UP_SECONDS,
            EXPLORATION_OFFSET, SPEED);
}
