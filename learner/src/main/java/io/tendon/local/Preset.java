package io.tendon.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A preset of the local main job: how long it runs, how the simulated cell differs from the lab
 * the demonstrations came from, the episode plan of the simulated robots, when evaluations run,
 * and the learner's stages and budgets. Seeds: robot r's demonstration and training episodes
 * use seeds {@code trainingSeed + r * 1,000,000 + n}; evaluations use the held-out seeds
 * {@code heldOutSeed + i} (never used in training); both are in the report.
 *
 * @param name             quick, default or realtime
 * @param wallSeconds      the run's budget in wall-clock seconds (the final evaluation included)
 * @param realTime         the robots run on the wall clock at 1 kHz (else on the simulated clock)
 * @param simSpeed         simulated seconds per wall-clock second at most (0: as fast as possible)
 * @param demoEpisodes     scripted demonstrations per robot, in the lab cell (no estimate offset)
 * @param offsetX          systematic hole-estimate error where the robots work, x, m
 * @param offsetY          the same in y, m
 * @param personRate       share of training episodes a simulated person watches (takes over when stuck)
 * @param explorationOffset per-episode offset of the policy's targets in training, std per axis, m
 * @param episodeTimeout   seconds before an episode is cut off
 * @param evalEverySeconds wall-clock seconds between evaluations of the learning arm
 * @param evalEpisodes     held-out episodes per intermediate evaluation
 * @param finalEpisodes    held-out episodes of the base arm and of the final evaluation
 * @param bcSteps          BC warm-up gradient steps
 * @param publishSeconds   the learner publishes the improved head at most this often, s
 */
public record Preset(String name, long wallSeconds, boolean realTime, double simSpeed, int demoEpisodes, double offsetX,
        double offsetY, double personRate, double explorationOffset, double episodeTimeout, long evalEverySeconds,
        int evalEpisodes, int finalEpisodes, long bcSteps, int publishSeconds) {

    public static final long TRAINING_SEED = 1;
    public static final long SEEDS_PER_ROBOT = 1_000_000;
    public static final long HELD_OUT_SEED = 900_000_000;

    /** A few minutes: the mechanics end to end (every stage, an update applied, a report). */
    public static Preset quick() {
        return new Preset("quick", 300, false, 30, 30, 0.003, -0.002, 1.0, 0.0, 12, 60, 10, 20, 600, 30);
    }

    /** The full result: the learning arm against the base arm on 100 held-out episodes each. */
    public static Preset standard() {
        return new Preset("default", 1680, false, 30, 100, 0.003, -0.002, 1.0, 0.0, 12, 150, 20, 100, 3000, 45);
    }

    /** On the wall clock at 1 kHz: the loop holds in real time (deadline misses reported). */
    public static Preset realtime() {
        return new Preset("realtime", 240, true, 0, 10, 0.003, -0.002, 1.0, 0.0, 12, 60, 5, 10, 500, 30);
    }

    public static Preset named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> quick();
            case "default", "standard" -> standard();
            case "realtime", "real-time" -> realtime();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (quick, default, realtime)");
        };
    }

    public Preset withWallSeconds(long seconds) {
        return new Preset(name, seconds, realTime, simSpeed, demoEpisodes, offsetX, offsetY, personRate,
                explorationOffset, episodeTimeout, evalEverySeconds, evalEpisodes, finalEpisodes, bcSteps, publishSeconds);
    }

    /** First training seed of robot {@code r}. */
    public long trainingSeed(int robot) {
        return TRAINING_SEED + robot * SEEDS_PER_ROBOT;
    }

    /** The edge's settings for robot {@code r} ("-Dkey=value"). */
    public List<String> edgeProperties(int robot, String bundleDir, String trustedKey, String cacheDir) {
        List<String> p = new ArrayList<>();
        p.add("-Dtendon.edge.robot-id=robot-" + robot);
        p.add("-Dtendon.edge.clock=" + (realTime ? "wall" : "simulated"));
        p.add("-Dtendon.edge.sim-expert=demonstrator");
        p.add("-Dtendon.policy.bundle-dir=" + bundleDir);
        p.add("-Dtendon.edge.updates.trusted-keys=" + trustedKey);
        p.add("-Dtendon.edge.updates.cache-dir=" + cacheDir);
        p.add("-Dtendon.edge.transitions.stride=1");
        p.add("-Dtendon.sim.seed=" + trainingSeed(robot));
        p.add("-Dtendon.sim.demo-episodes=" + demoEpisodes);
        p.add("-Dtendon.sim.hole-estimate-offset-x=" + offsetX);
        p.add("-Dtendon.sim.hole-estimate-offset-y=" + offsetY);
        p.add("-Dtendon.sim.person-rate=" + personRate);
        p.add("-Dtendon.sim.exploration-offset=" + explorationOffset);
        p.add("-Dtendon.sim.episode-timeout=" + episodeTimeout);
        p.add("-Dtendon.sim.person-give-up-seconds=" + Math.min(episodeTimeout * 0.6, 600));
        if (simSpeed > 0) {
            p.add("-Dtendon.sim.speed=" + simSpeed);
            // The rollback watch counts on the wall clock: 10 s of the robot's time at this speed.
            p.add("-Dtendon.edge.updates.rollback.window-seconds=" + Math.max(0.1, 10 / simSpeed));
        }
        return p;
    }

    /** The learner's settings ("-Dkey=value"). */
    public List<String> learnerProperties(String bundleDir, String policyId, String home) {
        List<String> p = new ArrayList<>();
        p.add("-Dtendon.policy.bundle-dir=" + bundleDir);
        p.add("-Dtendon.publish.policy-id=" + policyId);
        p.add("-Dtendon.publish.dev-key-dir=" + home + "/keys");
        p.add("-Dtendon.publish.public-key-file=" + home + "/keys/policy-signing.pub.pem");
        p.add("-Dtendon.publish.version-file=" + home + "/learner/policy-version");
        p.add("-Dtendon.checkpoint.dir=" + home + "/learner/checkpoints");
        p.add("-Dtendon.replay.checkpoint.directory=" + home + "/learner/replay");
        p.add("-Dtendon.train.stages=BC_WARMUP,ONLINE_HEAD");
        p.add("-Dtendon.train.bc-steps=" + bcSteps);
        p.add("-Dtendon.bc.min-transitions=" + Math.max(200, demoEpisodes * 30));
        if (realTime) {
            // Few demonstrations at 1x: sampling may start once BC's minimum is there (the
            // default minimum of 1000 rows would keep BC waiting beyond the budget).
            p.add("-Dtendon.replay.rate-limit.min-size-to-sample=" + Math.max(200, demoEpisodes * 30));
        }
        // BC takes its steps on the demonstrations alone (the robots wait for its head): allow
        // enough samples per inserted row for them, beyond the minimum size to sample.
        p.add("-Dtendon.replay.rate-limit.samples-per-insert=1024");
        p.add("-Dtendon.publish.every-steps=0");
        p.add("-Dtendon.publish.every-seconds=" + publishSeconds);
        return p;
    }
}
