package io.tendon.edge.control;

import static io.tendon.edge.control.ControlParameterTable.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The validated, typed values of {@link ControlParameterTable}, plus the relations between
 * parameters that single bounds cannot express (a minimum below its maximum, the filter
 * cut-off below the Nyquist rate). Immutable; built once while configuring.
 */
public final class ControlSettings {

    public final int rateHz;
    public final long periodNanos;
    /** Control period, s. */
    public final double dt;
    public final long spinWindowNanos;

    /** Virtual mass per axis: kg for x, y, z; kg*m^2 for rx, ry, rz. */
    public final double[] mass = new double[6];
    public final double dampingRatio;
    public final double defaultStiffnessLinear;
    public final double defaultStiffnessAngular;
    public final double wrenchCutoffHz;
    public final double toolMass;
    /** Tool centre of mass in the tool frame, m. */
    public final double[] toolCom = new double[3];

    public final double stiffnessMinLinear;
    public final double stiffnessMaxLinear;
    public final double stiffnessMinAngular;
    public final double stiffnessMaxAngular;

    public final double maxLinearSpeed;
    public final double maxAngularSpeed;
    public final double maxLinearAcceleration;
    public final double maxAngularAcceleration;
    public final double maxLinearStep;
    public final double maxAngularStep;

    public final double maxContactForce;
    public final double maxContactTorque;
    public final double forceBackoffGain;
    public final double torqueBackoffGain;

    public final double[] workspaceMin = new double[3];
    public final double[] workspaceMax = new double[3];

    public final long stateTimeoutNanos;
    public final long targetsTimeoutNanos;
    public final double holdEaseTime;
    public final double releaseDistance;
    public final double releaseAngle;

    private ControlSettings(ParameterReader p) {
        rateHz = (int) p.getLong(RATE_HZ);
        periodNanos = Math.round(1e9 / rateHz);
        dt = 1.0 / rateHz;
        spinWindowNanos = p.getLong(SPIN_WINDOW_US) * 1000L;
        mass[0] = p.get(MASS_X);
        mass[1] = p.get(MASS_Y);
        mass[2] = p.get(MASS_Z);
        mass[3] = p.get(INERTIA_RX);
        mass[4] = p.get(INERTIA_RY);
        mass[5] = p.get(INERTIA_RZ);
        dampingRatio = p.get(DAMPING_RATIO);
        defaultStiffnessLinear = p.get(DEFAULT_STIFFNESS_LINEAR);
        defaultStiffnessAngular = p.get(DEFAULT_STIFFNESS_ANGULAR);
        wrenchCutoffHz = p.get(WRENCH_CUTOFF_HZ);
        toolMass = p.get(TOOL_MASS);
        toolCom[0] = p.get(TOOL_COM_X);
        toolCom[1] = p.get(TOOL_COM_Y);
        toolCom[2] = p.get(TOOL_COM_Z);
        stiffnessMinLinear = p.get(STIFFNESS_MIN_LINEAR);
        stiffnessMaxLinear = p.get(STIFFNESS_MAX_LINEAR);
        stiffnessMinAngular = p.get(STIFFNESS_MIN_ANGULAR);
        stiffnessMaxAngular = p.get(STIFFNESS_MAX_ANGULAR);
        maxLinearSpeed = p.get(MAX_LINEAR_SPEED);
        maxAngularSpeed = p.get(MAX_ANGULAR_SPEED);
        maxLinearAcceleration = p.get(MAX_LINEAR_ACCELERATION);
        maxAngularAcceleration = p.get(MAX_ANGULAR_ACCELERATION);
        maxLinearStep = p.get(MAX_LINEAR_STEP);
        maxAngularStep = p.get(MAX_ANGULAR_STEP);
        maxContactForce = p.get(MAX_CONTACT_FORCE);
        maxContactTorque = p.get(MAX_CONTACT_TORQUE);
        forceBackoffGain = p.get(FORCE_BACKOFF_GAIN);
        torqueBackoffGain = p.get(TORQUE_BACKOFF_GAIN);
        workspaceMin[0] = p.get(WORKSPACE_X_MIN);
        workspaceMax[0] = p.get(WORKSPACE_X_MAX);
        workspaceMin[1] = p.get(WORKSPACE_Y_MIN);
        workspaceMax[1] = p.get(WORKSPACE_Y_MAX);
        workspaceMin[2] = p.get(WORKSPACE_Z_MIN);
        workspaceMax[2] = p.get(WORKSPACE_Z_MAX);
        stateTimeoutNanos = Math.round(p.get(STATE_TIMEOUT) * 1e9);
        targetsTimeoutNanos = Math.round(p.get(TARGETS_TIMEOUT) * 1e9);
        holdEaseTime = p.get(HOLD_EASE_TIME);
        releaseDistance = p.get(RELEASE_DISTANCE);
        releaseAngle = p.get(RELEASE_ANGLE);
    }

    /**
     * Reads and validates every control parameter through {@code lookup}.
     *
     * @throws InvalidConfigurationException naming each offending key, its value, unit and bounds
     */
    public static ControlSettings load(Function<String, Optional<String>> lookup) {
        ControlSettings s = new ControlSettings(ParameterReader.load(ALL, lookup));
        List<String> problems = new ArrayList<>();
        orderly(problems, STIFFNESS_MIN_LINEAR, s.stiffnessMinLinear, STIFFNESS_MAX_LINEAR, s.stiffnessMaxLinear);
        orderly(problems, STIFFNESS_MIN_ANGULAR, s.stiffnessMinAngular, STIFFNESS_MAX_ANGULAR, s.stiffnessMaxAngular);
        within(problems, DEFAULT_STIFFNESS_LINEAR, s.defaultStiffnessLinear, STIFFNESS_MIN_LINEAR,
                s.stiffnessMinLinear, STIFFNESS_MAX_LINEAR, s.stiffnessMaxLinear);
        within(problems, DEFAULT_STIFFNESS_ANGULAR, s.defaultStiffnessAngular, STIFFNESS_MIN_ANGULAR,
                s.stiffnessMinAngular, STIFFNESS_MAX_ANGULAR, s.stiffnessMaxAngular);
        orderly(problems, WORKSPACE_X_MIN, s.workspaceMin[0], WORKSPACE_X_MAX, s.workspaceMax[0]);
        orderly(problems, WORKSPACE_Y_MIN, s.workspaceMin[1], WORKSPACE_Y_MAX, s.workspaceMax[1]);
        orderly(problems, WORKSPACE_Z_MIN, s.workspaceMin[2], WORKSPACE_Z_MAX, s.workspaceMax[2]);
        if (s.wrenchCutoffHz > s.rateHz / 2.0) {
            problems.add(WRENCH_CUTOFF_HZ.key() + " = " + ParameterSpec.format(s.wrenchCutoffHz) + " Hz is above half of "
                    + RATE_HZ.key() + " = " + s.rateHz + " Hz (the Nyquist rate); expected at most "
                    + ParameterSpec.format(s.rateHz / 2.0) + " Hz");
        }
        if (s.spinWindowNanos >= s.periodNanos) {
            problems.add(SPIN_WINDOW_US.key() + " = " + s.spinWindowNanos / 1000 + " us is not shorter than the control"
                    + " period of " + s.periodNanos / 1000 + " us (" + RATE_HZ.key() + " = " + s.rateHz + ")");
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return s;
    }

    /** Every parameter at its default. */
    public static ControlSettings defaults() {
        return load(key -> Optional.empty());
    }

    /** Defaults overridden by {@code overrides} (key to text), validated like any configuration. */
    public static ControlSettings with(Map<String, String> overrides) {
        return load(ParameterReader.lookup(overrides));
    }

    private static void orderly(List<String> problems, ParameterSpec lo, double loValue, ParameterSpec hi, double hiValue) {
        if (!(loValue < hiValue)) {
            problems.add(lo.key() + " = " + ParameterSpec.format(loValue) + " " + lo.unit() + " is not below "
                    + hi.key() + " = " + ParameterSpec.format(hiValue) + " " + hi.unit());
        }
    }

    private static void within(List<String> problems, ParameterSpec p, double v, ParameterSpec lo, double loValue,
                               ParameterSpec hi, double hiValue) {
        if (v < loValue || v > hiValue) {
            problems.add(p.key() + " = " + ParameterSpec.format(v) + " " + p.unit() + " is outside [" + lo.key() + ", "
                    + hi.key() + "] = [" + ParameterSpec.format(loValue) + ", " + ParameterSpec.format(hiValue) + "] "
                    + p.unit());
        }
    }
}
