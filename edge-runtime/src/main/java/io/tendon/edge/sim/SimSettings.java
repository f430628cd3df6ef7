package io.tendon.edge.sim;

import static io.tendon.edge.sim.SimParameterTable.*;

import io.tendon.edge.control.ParameterReader;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Validated, typed values of {@link SimParameterTable}. Immutable. */
public final class SimSettings {

    public final long seed;
    public final int stepRateHz;
    public final double episodeTimeout;
    public final double holeX;
    public final double holeY;
    public final double holeRandomisation;
    public final double holeEstimateNoise;
    public final double holeEstimateOffsetX;
    public final double holeEstimateOffsetY;
    public final double clearance;
    public final double pegRadius;
    public final double holeDepth;
    public final double startHeight;
    public final double friction;
    public final double contactStiffness;
    public final double armBandwidthHz;
    public final double armMass;
    public final double forceLimit;
    public final double wrenchNoiseForce;
    public final double wrenchNoiseTorque;
    public final double toolMass;
    public final double expertNoise;
    public final long demoEpisodes;
    public final double personRate;
    public final double personStuckSeconds;
    public final double personGiveUpSeconds;
    public final double explorationOffset;
    public final double speed;

    private SimSettings(ParameterReader p) {
        seed = p.getLong(SEED);
        stepRateHz = (int) p.getLong(STEP_RATE_HZ);
        episodeTimeout = p.get(EPISODE_TIMEOUT);
        holeX = p.get(HOLE_X);
        holeY = p.get(HOLE_Y);
        holeRandomisation = p.get(HOLE_RANDOMISATION);
        holeEstimateNoise = p.get(HOLE_ESTIMATE_NOISE);
        holeEstimateOffsetX = p.get(HOLE_ESTIMATE_OFFSET_X);
        holeEstimateOffsetY = p.get(HOLE_ESTIMATE_OFFSET_Y);
        clearance = p.get(CLEARANCE);
        pegRadius = p.get(PEG_RADIUS);
        holeDepth = p.get(HOLE_DEPTH);
        startHeight = p.get(START_HEIGHT);
        friction = p.get(FRICTION);
        contactStiffness = p.get(CONTACT_STIFFNESS);
        armBandwidthHz = p.get(ARM_BANDWIDTH_HZ);
        armMass = p.get(ARM_MASS);
        forceLimit = p.get(FORCE_LIMIT);
        wrenchNoiseForce = p.get(WRENCH_NOISE_FORCE);
        wrenchNoiseTorque = p.get(WRENCH_NOISE_TORQUE);
        toolMass = p.get(TOOL_MASS);
        expertNoise = p.get(EXPERT_NOISE);
        demoEpisodes = p.getLong(DEMO_EPISODES);
        personRate = p.get(PERSON_RATE);
        personStuckSeconds = p.get(PERSON_STUCK_SECONDS);
        personGiveUpSeconds = p.get(PERSON_GIVE_UP_SECONDS);
        explorationOffset = p.get(EXPLORATION_OFFSET);
        speed = p.get(SPEED);
    }

    /** @throws io.tendon.edge.control.InvalidConfigurationException naming each bad key, value, unit and bounds */
    public static SimSettings load(Function<String, Optional<String>> lookup) {
        return new SimSettings(ParameterReader.load(ALL, lookup));
    }

    public static SimSettings defaults() {
        return load(key -> Optional.empty());
    }

    public static SimSettings with(Map<String, String> overrides) {
        return load(ParameterReader.lookup(overrides));
    }
}
