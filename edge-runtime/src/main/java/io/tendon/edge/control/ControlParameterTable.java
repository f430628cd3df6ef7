package io.tendon.edge.control;

import java.util.List;

/**
 * Every parameter of the control loop, the admittance controller and the safety pipeline,
 * declared once: key, unit, bounds, default. {@link ControlSettings} reads them; the service
 * validates them at start-up; application.properties documents the same defaults. Bounds
 * are chosen so that any value inside them is safe to run (the admittance integration is
 * stable over the whole grid, see AdmittanceController).
 */
public final class ControlParameterTable {

    private ControlParameterTable() {
    }

    // ---- loop --------------------------------------------------------------------------
    public static final ParameterSpec RATE_HZ = ParameterSpec.whole("tendon.control.rate-hz", "Hz", 100, 4000, 1000,
            "Control rate: ticks per second of the admittance + safety loop.");
    public static final ParameterSpec SPIN_WINDOW_US = ParameterSpec.whole("tendon.control.spin-window-us", "us", 0, 2000, 150,
            "Wall-clock pacing: the loop parks until this long before a tick's deadline, then spins.");

    // ---- admittance ----------------------------------------------------------------------
    public static final ParameterSpec MASS_X = ParameterSpec.real("tendon.admittance.mass-x", "kg", 0.1, 50, 2,
            "Virtual mass M along x.");
    public static final ParameterSpec MASS_Y = ParameterSpec.real("tendon.admittance.mass-y", "kg", 0.1, 50, 2,
            "Virtual mass M along y.");
    public static final ParameterSpec MASS_Z = ParameterSpec.real("tendon.admittance.mass-z", "kg", 0.1, 50, 2,
            "Virtual mass M along z.");
    public static final ParameterSpec INERTIA_RX = ParameterSpec.real("tendon.admittance.inertia-rx", "kg*m^2", 0.001, 5, 0.05,
            "Virtual rotational inertia about x.");
    public static final ParameterSpec INERTIA_RY = ParameterSpec.real("tendon.admittance.inertia-ry", "kg*m^2", 0.001, 5, 0.05,
            "Virtual rotational inertia about y.");
    public static final ParameterSpec INERTIA_RZ = ParameterSpec.real("tendon.admittance.inertia-rz", "kg*m^2", 0.001, 5, 0.05,
            "Virtual rotational inertia about z.");
    public static final ParameterSpec DAMPING_RATIO = ParameterSpec.real("tendon.admittance.damping-ratio", "1", 0.3, 3, 1,
            "Damping D = ratio * 2 * sqrt(K M); 1 is critical damping.");
    public static final ParameterSpec DEFAULT_STIFFNESS_LINEAR = ParameterSpec.real(
            "tendon.admittance.default-stiffness-linear", "N/m", 1, 20000, 1000,
            "Translational stiffness of the axes the policy does not set (scalar stiffness mode).");
    public static final ParameterSpec DEFAULT_STIFFNESS_ANGULAR = ParameterSpec.real(
            "tendon.admittance.default-stiffness-angular", "N*m/rad", 0.1, 2000, 50,
            "Rotational stiffness of the axes the policy does not set.");
    public static final ParameterSpec WRENCH_CUTOFF_HZ = ParameterSpec.real("tendon.admittance.wrench-cutoff-hz", "Hz", 1, 2000, 40,
            "Cut-off of the first-order low-pass on the measured wrench; at most half the control rate.");
    public static final ParameterSpec TOOL_MASS = ParameterSpec.real("tendon.admittance.tool-mass", "kg", 0, 20, 0.3,
            "Mass of the tool beyond the force sensor, removed from the measured wrench (gravity compensation).");
    public static final ParameterSpec TOOL_COM_X = ParameterSpec.real("tendon.admittance.tool-com-x", "m", -0.5, 0.5, 0,
            "Tool centre of mass relative to the TCP, tool frame, x.");
    public static final ParameterSpec TOOL_COM_Y = ParameterSpec.real("tendon.admittance.tool-com-y", "m", -0.5, 0.5, 0,
            "Tool centre of mass relative to the TCP, tool frame, y.");
    public static final ParameterSpec TOOL_COM_Z = ParameterSpec.real("tendon.admittance.tool-com-z", "m", -0.5, 0.5, 0.04,
            "Tool centre of mass relative to the TCP, tool frame, z.");

    // ---- safety: stiffness bounds ----------------------------------------------------------
    public static final ParameterSpec STIFFNESS_MIN_LINEAR = ParameterSpec.real("tendon.safety.stiffness-min-linear", "N/m",
            1, 1000, 10, "Smallest translational stiffness the policy may ask for.");
    public static final ParameterSpec STIFFNESS_MAX_LINEAR = ParameterSpec.real("tendon.safety.stiffness-max-linear", "N/m",
            10, 20000, 5000, "Largest translational stiffness the policy may ask for.");
    public static final ParameterSpec STIFFNESS_MIN_ANGULAR = ParameterSpec.real("tendon.safety.stiffness-min-angular",
            "N*m/rad", 0.1, 100, 1, "Smallest rotational stiffness.");
    public static final ParameterSpec STIFFNESS_MAX_ANGULAR = ParameterSpec.real("tendon.safety.stiffness-max-angular",
            "N*m/rad", 1, 2000, 300, "Largest rotational stiffness.");

    // ---- safety: motion limits of the commanded pose ----------------------------------------
    public static final ParameterSpec MAX_LINEAR_SPEED = ParameterSpec.real("tendon.safety.max-linear-speed", "m/s",
            0.005, 2, 0.25, "Largest commanded TCP speed.");
    public static final ParameterSpec MAX_ANGULAR_SPEED = ParameterSpec.real("tendon.safety.max-angular-speed", "rad/s",
            0.05, 6, 1.0, "Largest commanded TCP angular speed.");
    public static final ParameterSpec MAX_LINEAR_ACCELERATION = ParameterSpec.real("tendon.safety.max-linear-acceleration",
            "m/s^2", 0.1, 50, 5, "Largest change of commanded TCP velocity per second.");
    public static final ParameterSpec MAX_ANGULAR_ACCELERATION = ParameterSpec.real("tendon.safety.max-angular-acceleration",
            "rad/s^2", 0.5, 200, 20, "Largest change of commanded angular velocity per second.");
    public static final ParameterSpec MAX_LINEAR_STEP = ParameterSpec.real("tendon.safety.max-linear-step", "m",
            0.00001, 0.01, 0.001, "Largest translation of the commanded pose in one tick.");
    public static final ParameterSpec MAX_ANGULAR_STEP = ParameterSpec.real("tendon.safety.max-angular-step", "rad",
            0.0001, 0.05, 0.005, "Largest rotation of the commanded pose in one tick.");

    // ---- safety: contact ------------------------------------------------------------------
    public static final ParameterSpec MAX_CONTACT_FORCE = ParameterSpec.real("tendon.safety.max-contact-force", "N",
            1, 500, 40, "Contact force above which the command backs off along the force.");
    public static final ParameterSpec MAX_CONTACT_TORQUE = ParameterSpec.real("tendon.safety.max-contact-torque", "N*m",
            0.1, 100, 4, "Contact torque above which the command backs off along the torque.");
    public static final ParameterSpec FORCE_BACKOFF_GAIN = ParameterSpec.real("tendon.safety.force-backoff-gain", "m/(s*N)",
            0.00001, 0.05, 0.002, "Back-off speed per newton of force above the cap.");
    public static final ParameterSpec TORQUE_BACKOFF_GAIN = ParameterSpec.real("tendon.safety.torque-backoff-gain",
            "rad/(s*N*m)", 0.0001, 1, 0.05, "Back-off angular speed per N*m of torque above the cap.");

    // ---- safety: workspace box (base frame) ------------------------------------------------
    public static final ParameterSpec WORKSPACE_X_MIN = ParameterSpec.real("tendon.safety.workspace.x-min", "m", -3, 3, 0.2,
            "Workspace box, smallest x of the commanded TCP position.");
    public static final ParameterSpec WORKSPACE_X_MAX = ParameterSpec.real("tendon.safety.workspace.x-max", "m", -3, 3, 0.8,
            "Workspace box, largest x.");
    public static final ParameterSpec WORKSPACE_Y_MIN = ParameterSpec.real("tendon.safety.workspace.y-min", "m", -3, 3, -0.3,
            "Workspace box, smallest y.");
    public static final ParameterSpec WORKSPACE_Y_MAX = ParameterSpec.real("tendon.safety.workspace.y-max", "m", -3, 3, 0.3,
            "Workspace box, largest y.");
    public static final ParameterSpec WORKSPACE_Z_MIN = ParameterSpec.real("tendon.safety.workspace.z-min", "m", -3, 3, -0.05,
            "Workspace box, smallest z.");
    public static final ParameterSpec WORKSPACE_Z_MAX = ParameterSpec.real("tendon.safety.workspace.z-max", "m", -3, 3, 0.4,
            "Workspace box, largest z.");

    // ---- safety: watchdog ------------------------------------------------------------------
    public static final ParameterSpec STATE_TIMEOUT = ParameterSpec.real("tendon.safety.watchdog.state-timeout", "s",
            0.001, 1, 0.02, "Hold when the newest robot state is older than this.");
    public static final ParameterSpec TARGETS_TIMEOUT = ParameterSpec.real("tendon.safety.watchdog.targets-timeout", "s",
            0.01, 30, 1.0, "Hold when the targets in use were created longer ago than this (for chunked"
                    + " policies: longer than a chunk's executed horizon plus inference time).");
    public static final ParameterSpec HOLD_EASE_TIME = ParameterSpec.real("tendon.safety.watchdog.ease-time", "s",
            0.01, 10, 0.2, "While holding, the held pose eases to the measured pose with this time constant.");
    public static final ParameterSpec RELEASE_DISTANCE = ParameterSpec.real("tendon.safety.watchdog.release-distance", "m",
            0.0001, 0.05, 0.002, "A hold ends only once the held pose is this close to the measured position.");
    public static final ParameterSpec RELEASE_ANGLE = ParameterSpec.real("tendon.safety.watchdog.release-angle", "rad",
            0.001, 0.5, 0.02, "... and this close to the measured orientation.");

    /** The whole table, in documentation order. */
    public static final List<ParameterSpec> ALL = List.of(
            RATE_HZ, SPIN_WINDOW_US,
            MASS_X, MASS_Y, MASS_Z, INERTIA_RX, INERTIA_RY, INERTIA_RZ, DAMPING_RATIO,
            DEFAULT_STIFFNESS_LINEAR, DEFAULT_STIFFNESS_ANGULAR, WRENCH_CUTOFF_HZ,
            TOOL_MASS, TOOL_COM_X, TOOL_COM_Y, TOOL_COM_Z,
            STIFFNESS_MIN_LINEAR, STIFFNESS_MAX_LINEAR, STIFFNESS_MIN_ANGULAR, STIFFNESS_MAX_ANGULAR,
            MAX_LINEAR_SPEED, MAX_ANGULAR_SPEED, MAX_LINEAR_ACCELERATION, MAX_ANGULAR_ACCELERATION,
            MAX_LINEAR_STEP, MAX_ANGULAR_STEP,
            MAX_CONTACT_FORCE, MAX_CONTACT_TORQUE, FORCE_BACKOFF_GAIN, TORQUE_BACKOFF_GAIN,
            WORKSPACE_X_MIN, WORKSPACE_X_MAX, WORKSPACE_Y_MIN, WORKSPACE_Y_MAX, WORKSPACE_Z_MIN, WORKSPACE_Z_MAX,
            STATE_TIMEOUT, TARGETS_TIMEOUT, HOLD_EASE_TIME, RELEASE_DISTANCE, RELEASE_ANGLE);
}
