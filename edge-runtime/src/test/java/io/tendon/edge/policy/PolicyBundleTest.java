package io.tendon.edge.policy;

import io.tendon.schemas.bundle.TensorRoles;
import static io.tendon.edge.policy.TestBundles.A;
import static io.tendon.edge.policy.TestBundles.f32;
import static io.tendon.edge.policy.TestBundles.graph;
import static io.tendon.edge.policy.TestBundles.i64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.policy.TestGraphs.Act;
import io.tendon.edge.policy.TestGraphs.Mlp;
import io.tendon.edge.policy.TestGraphs.Port;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.Normalisation;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.SamplerSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bundle loading refuses what it cannot run, with an error that says what and where: manifests
 * that break their own rules (checked without ONNX Runtime) and graphs that do not match their
 * declarations (checked against the real session).
 */
class PolicyBundleTest {

    static final int H = 4;
    static final int Z = 8;

    @TempDir
    Path dir;

    static BundleManifest.Builder valid() {
        return TestBundles.manifest("bundle-test", PolicyMode.CHUNK, H, 2, 1, 10)
                .addGraphs(graph(GraphRole.HEAD, "head.onnx", List.of(f32("latent", 1, Z)),
                        List.of(f32("actions", 1, H, A))));
    }

    Path writeValid() {
        Mlp head = new Mlp(5, Act.RELU, Z, 16, H * A);
        return TestBundles.write(dir, valid().build(), Map.of(
                "head.onnx", TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, Z)), Port.f("actions", -1, H, A),
                        null, 0),
                "other.onnx", TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, Z)), Port.f("actions", -1, H, A),
                        null, 0)));
    }

    @Test
    void aValidBundleOpensWithItsDefaultsResolved() {
        PolicyBundle b = PolicyBundle.open(writeValid());
        assertEquals("bundle-test", b.policyId());
        assertEquals(3, b.version());
        assertEquals(Z, b.latentDim);
        assertEquals(Z, b.featureDim, "no encoder: the features are the latent");
        assertEquals(13, b.actionDim);
        assertEquals(10, b.samplerSteps, "n_steps 0 means the default 10");
        assertEquals(0.1, b.guidanceFraction, 1e-9, "guidance_fraction 0 means the default 0.1");
    }

    @Test
    void unknownManifestKeysAndOtherManifestVersionsAreRefused() throws Exception {
        Path bundle = writeValid();
        String json = Files.readString(bundle.resolve("manifest.json"));
        Files.writeString(bundle.resolve("manifest.json"), json.replaceFirst("\\{", "{\"speed\": 3,"),
                StandardCharsets.UTF_8);
        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.open(bundle));
        assertTrue(e.getMessage().contains("speed") && e.getMessage().contains("manifest.json"), e.getMessage());

        Files.writeString(bundle.resolve("manifest.json"), json.replace("\"manifestVersion\": 1", "\"manifestVersion\": 2"),
                StandardCharsets.UTF_8);
        e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.open(bundle));
        assertTrue(e.getMessage().contains("manifest_version is 2 but this runtime reads version 1"), e.getMessage());

        Files.writeString(bundle.resolve("manifest.json"), "{ not json", StandardCharsets.UTF_8);
        e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.open(bundle));
        assertTrue(e.getMessage().contains("is not a valid version-1 bundle manifest"), e.getMessage());

        PolicyBundleException missing = assertThrows(PolicyBundleException.class,
                () -> PolicyBundle.open(dir.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("is not a directory"), missing.getMessage());
    }

    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                broken("no head in chunk mode", m -> m.clearGraphs(), "mode CHUNK needs a head graph"),
                broken("a step graph in chunk mode", m -> m.addGraphs(graph(GraphRole.STEP, "other.onnx",
                        List.of(f32("sample", 1, H, A), f32("flow_time", 1, 1)), List.of(f32("velocity", 1, H, A)))),
                        "graph step has no place in mode CHUNK"),
                broken("a file outside the bundle", m -> m.setGraphs(0, m.getGraphs(0).toBuilder().setFile("../head.onnx")),
                        "must name a file inside the bundle directory"),
                broken("a missing file", m -> m.setGraphs(0, m.getGraphs(0).toBuilder().setFile("gone.onnx")),
                        "file 'gone.onnx' does not exist"),
                broken("no mode", m -> m.setMode(PolicyMode.POLICY_MODE_UNSPECIFIED), "mode must be CHUNK, TWO_RATE or FLOW"),
                broken("a bad policy id", m -> m.setPolicyId("a b"), "policy_id 'a b' must be"),
                broken("too long an executed horizon", m -> m.getRatesBuilder().setExecHorizon(4),
                        "rates.exec_horizon must be in [1, chunk_length - latency_steps] = [1, 3]"),
                broken("latency beyond the chunk", m -> m.getRatesBuilder().setLatencySteps(4),
                        "rates.latency_steps must be below chunk_length"),
                broken("policy faster than control", m -> m.getRatesBuilder().setPolicyHz(2000),
                        "rates.policy_hz must be in (0, control_hz]"),
                broken("control rate out of range", m -> m.getRatesBuilder().setControlHz(50),
                        "rates.control_hz must be in [100, 4000] Hz"),
                broken("bounds of the wrong length", m -> m.getActionLayoutBuilder().clearLower().addAllLower(java.util.Collections.nCopies(12, -1f)),
                        "action_layout.lower and .upper must each hold 13 bounds"),
                broken("inverted bounds", m -> m.getActionLayoutBuilder().setLower(3, 5f).setUpper(3, -5f),
                        "bounds of component 3 must be finite with lower <= upper"),
                broken("no action layout kind", m -> m.clearActionLayout(), "action_layout.kind must be"),
                broken("a zero std", m -> m.setNormalisation(Normalisation.newBuilder()
                        .addAllActionMean(java.util.Collections.nCopies(A, 0f))
                        .addAllActionStd(java.util.Collections.nCopies(A, 0f))),
                        "normalisation.action component 0: mean must be finite and std finite and > 0"),
                broken("action statistics of the wrong length", m -> m.setNormalisation(Normalisation.newBuilder()
                        .addActionMean(0f).addActionStd(1f)), "normalisation.action_mean and action_std must both be empty or hold 13"),
                broken("residual scale above 1", m -> m.setResidualScale(1.5f), "residual_scale must be in [0, 1]"),
                broken("a negative ensemble decay", m -> m.setSampler(SamplerSpec.newBuilder().setEnsembleDecay(-1f)),
                        "sampler.ensemble_decay must be in [0, 100]"),
                broken("a tensor without a role", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .setInputs(0, f32("input.1", 1, Z))), "input 'input.1' has no role and its name is not a role name"),
                broken("an explicit role on any name", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .setInputs(0, f32("input.1", 1, Z).toBuilder().setRole(TensorRole.LATENT).build())), "OK"),
                broken("a head chunk of the wrong size", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .setOutputs(0, f32("actions", 1, H, 12))), "output 'actions' shape [1, 4, 12] holds 48 elements, expected 52"),
                broken("a dynamic non-batch dimension", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .setInputs(0, f32("latent", 1, -1))), "only the batch (index 0) may be dynamic"),
                broken("an INT64 latent", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .setInputs(0, i64("latent", 1, Z))), "is INT64, which only FLOW_TIME may be"),
                broken("a head with a role it cannot be given", m -> m.setGraphs(0, m.getGraphs(0).toBuilder()
                        .addInputs(f32("sample", 1, H, A))), "graph head takes an input with role SAMPLE"),
                broken("an encoder whose latent the head does not take", m -> m.addGraphs(graph(GraphRole.ENCODER,
                        "other.onnx", List.of(f32("observation", 1, 5)), List.of(f32("latent", 1, Z + 1)))),
                        "takes a latent of 8 elements but the encoder gives 9"),
                broken("a step graph conditioned with no prefix", m -> m.setMode(PolicyMode.FLOW).clearGraphs()
                        .addGraphs(graph(GraphRole.STEP, "other.onnx", List.of(f32("sample", 1, H, A),
                                f32("flow_time", 1, 1), f32("conditioning", 1, 3)), List.of(f32("velocity", 1, H, A))))
                        .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER)),
                        "graph step takes CONDITIONING but the bundle has no prefix graph"),
                broken("a DDIM step graph that predicts velocity", m -> m.setMode(PolicyMode.FLOW).clearGraphs()
                        .addGraphs(graph(GraphRole.STEP, "other.onnx", List.of(f32("sample", 1, H, A),
                                f32("flow_time", 1, 1)), List.of(f32("velocity", 1, H, A))))
                        .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.DDIM)),
                        "graph step must give exactly the outputs [EPSILON]"),
                broken("a flow bundle without an integrator", m -> m.setMode(PolicyMode.FLOW).clearGraphs()
                        .addGraphs(graph(GraphRole.STEP, "other.onnx", List.of(f32("sample", 1, H, A),
                                f32("flow_time", 1, 1)), List.of(f32("velocity", 1, H, A)))),
                        "sampler.integrator must be EULER or DDIM"),
                broken("a two-rate window longer than the noise", m -> twoRate(m, 16, -1), "exceeds the noise trajectory's chunk_length 4"),
                broken("a fixed two-rate window", m -> twoRate(m, 2, 3), "its dimension 1 must be dynamic (-1)"));
    }

    /** A two-rate bundle with slow_interval {@code interval}; the fast wrench window dimension is {@code window}. */
    private static void twoRate(BundleManifest.Builder m, int interval, long window) {
        m.setMode(PolicyMode.TWO_RATE).clearGraphs()
                .addGraphs(graph(GraphRole.SLOW, "other.onnx", List.of(f32("observation", 1, 2, 5)),
                        List.of(f32("conditioning", 1, 6))))
                .addGraphs(graph(GraphRole.FAST, "head.onnx", List.of(f32("wrench_window", 1, window, 6),
                        f32("conditioning", 1, 6), f32("noise", 1, -1, A)), List.of(f32("actions", 1, -1, A))));
        m.getRatesBuilder().setSlowInterval(interval).setNObsSteps(2).setLatencySteps(0);
    }

    private static Arguments broken(String what, java.util.function.Consumer<BundleManifest.Builder> change, String expected) {
        UnaryOperator<BundleManifest.Builder> f = m -> {
            change.accept(m);
            return m;
        };
        return Arguments.of(what, f, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void aManifestThatBreaksItsRulesIsRefusedNamingTheProblem(String what, UnaryOperator<BundleManifest.Builder> change,
            String expected) {
        Path bundle = writeValid();
        BundleManifest m = change.apply(valid()).build();
        if ("OK".equals(expected)) {
            PolicyBundle.check(bundle, m);
            return;
        }
        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.check(bundle, m), what);
        assertTrue(e.getMessage().startsWith("policy bundle "), e.getMessage());
        if (expected != null) {
            assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        }
    }

    @Test
    void everyProblemOfAManifestIsReportedAtOnce() {
        Path bundle = writeValid();
        BundleManifest.Builder m = valid().setPolicyId("").setResidualScale(2f);
        m.getRatesBuilder().setControlHz(10_000);
        PolicyBundleException e = assertThrows(PolicyBundleException.class, () -> PolicyBundle.check(bundle, m.build()));
        assertTrue(e.getMessage().contains("policy_id") && e.getMessage().contains("residual_scale")
                && e.getMessage().contains("control_hz"), e.getMessage());
    }

    // ---- against the real graphs --------------------------------------------------------------

    private PolicyBundleException loadFails(BundleManifest manifest, Map<String, byte[]> files) {
        Path bundle = TestBundles.write(dir.resolve("b" + System.nanoTime()), manifest, files);
        return assertThrows(PolicyBundleException.class,
                () -> PolicyRuntime.load(bundle, OrtSettings.cpu(), new PolicyRuntime.Options()).close());
    }

    @Test
    void aDeclaredShapeThatTheGraphDoesNotHaveNamesGraphTensorAndBothShapes() {
        Mlp narrow = new Mlp(6, Act.RELU, 32, 16, H * A);
        byte[] head = TestGraphs.mlpGraph(narrow, List.of(Port.f("latent", -1, 32)), Port.f("actions", -1, H, A), null, 0);
        PolicyBundleException e = loadFails(valid().build(), Map.of("head.onnx", head));
        assertTrue(e.getMessage().contains(
                "graph head (head.onnx): input 'latent' is declared with shape [1, 8] but the graph has [-1, 32]"),
                e.getMessage());
    }

    @Test
    void dtypesMissingAndUndeclaredTensorsAreErrors() {
        Mlp head = new Mlp(7, Act.RELU, Z + 3, 16, H * A);
        byte[] withState = TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, Z), Port.f("state", -1, 3)),
                Port.f("actions", -1, H, A), null, 0);
        PolicyBundleException e = loadFails(valid().build(), Map.of("head.onnx", withState));
        assertTrue(e.getMessage().contains("the graph takes input 'state' [-1, 3] which the manifest does not declare"),
                e.getMessage());

        BundleManifest renamed = valid().setGraphs(0, valid().getGraphs(0).toBuilder()
                .setOutputs(0, f32("chunk", 1, H, A).toBuilder().setRole(TensorRole.ACTIONS).build())).build();
        Mlp plain = new Mlp(8, Act.RELU, Z, H * A);
        byte[] headOnly = TestGraphs.mlpGraph(plain, List.of(Port.f("latent", -1, Z)), Port.f("actions", -1, H, A), null, 0);
        e = loadFails(renamed, Map.of("head.onnx", headOnly));
        assertTrue(e.getMessage().contains("output 'chunk' is declared but the graph has no such output (its outputs: [actions])"),
                e.getMessage());

        // FLOW_TIME declared INT64 while the graph takes a float.
        float[] w = new float[3 * H * A];
        BundleManifest flow = TestBundles.manifest("dtype", PolicyMode.FLOW, H, 2, 1, 10)
                .addGraphs(graph(GraphRole.PREFIX, "prefix.onnx", List.of(f32("latent", 1, Z)),
                        List.of(f32("conditioning", 1, 3))))
                .addGraphs(graph(GraphRole.STEP, "step.onnx", List.of(f32("sample", 1, H, A), i64("flow_time", 1, 1),
                        f32("conditioning", 1, 3)), List.of(f32("velocity", 1, H, A))))
                .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER)).build();
        e = loadFails(flow, Map.of(
                "prefix.onnx", TestGraphs.mlpGraph(new Mlp(9, Act.TANH, Z, 3), List.of(Port.f("latent", -1, Z)),
                        Port.f("conditioning", -1, 3), null, 0),
                "step.onnx", TestGraphs.closedFormStep(H, A, 3, w, new float[H * A], false)));
        assertTrue(e.getMessage().contains("graph step (step.onnx): input 'flow_time' is declared INT64 but the graph has FLOAT32"),
                e.getMessage());
    }

    @Test
    void aTamperedModelFileIsAClearError() {
        Mlp head = new Mlp(5, Act.RELU, Z, 16, H * A);
        byte[] good = TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, Z)), Port.f("actions", -1, H, A), null, 0);
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        PolicyBundleException e = loadFails(valid().build(), Map.of("head.onnx", truncated));
        assertTrue(e.getMessage().startsWith("graph head (head.onnx) is not a loadable ONNX model"), e.getMessage());
    }

    @Test
    void graphSpecsRoundTripThroughTheirJsonMapping() throws Exception {
        GraphSpec spec = valid().getGraphs(0);
        String json = com.google.protobuf.util.JsonFormat.printer().print(spec);
        GraphSpec.Builder back = GraphSpec.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(json, back);
        assertEquals(spec, back.build());
        TensorSpec t = f32("whatever", 1, 2).toBuilder().setRole(TensorRole.WRENCH_WINDOW).build();
        assertEquals(TensorRole.WRENCH_WINDOW, TensorRoles.of(t));
        assertEquals(TensorRole.FLOW_TIME, TensorRoles.of(f32("flow_time", 1)));
    }
}
