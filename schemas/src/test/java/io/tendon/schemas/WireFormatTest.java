package io.tendon.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.util.JsonFormat;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.schemas.v1.Provenance;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.Protoc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The generated Java and an independent decoder (protoc) agree on the wire format, and the
 * committed golden text still describes the same bytes.
 */
class WireFormatTest {

    private static Transition goldenTransition() {
        return Transition.newBuilder()
                .setLayoutVersion(1)
                .setRobotId("arm-7")
                .setEpisodeId("ep-0042")
                .setStep(12)
                .setSource(Source.INTERVENTION)
                .setPolicyVersion(5)
                .setObservation(Observation.newBuilder()
                        .addLatent(0.25f).addLatent(-1.5f)
                        .addProprio(0.4f).addProprio(0.001f)
                        .addWrench(12.5f))
                .setExecutedChunk(ActionChunk.newBuilder().setHorizon(2).setActionDim(2)
                        .addValues(0.1f).addValues(0.2f).addValues(0.3f).addValues(0.4f))
                .setPolicyChunk(ActionChunk.newBuilder().setHorizon(2).setActionDim(2)
                        .addValues(0.1f).addValues(0.2f).addValues(0.35f).addValues(0.45f))
                .addRewards(-0.5f).addRewards(10f)
                .addValidMask(true).addValidMask(false)
                .addInterventionMask(false).addInterventionMask(true)
                .setNextObservation(Observation.newBuilder().addLatent(0.5f).addProprio(0.41f).addWrench(-3f))
                .setTerminated(true)
                .setStartTimeUnixNanos(1764400000000000000L)
                .setPublishTimeUnixNanos(1764400000050000000L)
                .build();
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = WireFormatTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void javaBytesDecodeToTheGoldenTextWithProtoc() throws IOException {
        String decoded = Protoc.decode("tendon.v1.Transition", "tendon/v1/transition.proto",
                goldenTransition().toByteArray());
        assertEquals(golden("transition.txtpb").strip(), decoded.strip());
    }

    @Test
    void protocEncodedGoldenParsesToTheSameMessageInJava() throws IOException {
        byte[] bytes = Protoc.encode("tendon.v1.Transition", "tendon/v1/transition.proto", golden("transition.txtpb"));
        Transition parsed = Transition.parseFrom(bytes);
        assertEquals(goldenTransition(), parsed);
        assertArrayEquals(goldenTransition().toByteArray(), bytes,
                "Java and protoc must write identical bytes for the same message");
    }

    @Test
    void oldDoneFieldIsReservedAndNeverAliasesANewField() throws IOException {
        var descriptor = Transition.getDescriptor().toProto();
        assertTrue(descriptor.getReservedNameList().contains("done"));
        assertTrue(descriptor.getReservedRangeList().stream().anyMatch(r -> r.getStart() <= 16 && 16 < r.getEnd()));

        // An old producer that still writes `done = true` as field 16.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(2, "arm-1");
        out.writeBool(16, true);
        out.flush();
        Transition parsed = Transition.parseFrom(bytes.toByteArray());
        assertEquals("arm-1", parsed.getRobotId());
        assertFalse(parsed.getTerminated());
        assertFalse(parsed.getTruncated());
        assertTrue(parsed.getUnknownFields().hasField(16), "kept as an unknown field, not read as a new one");
    }

    @Test
    void policyUpdatePartDecodesWithProtoc() {
        PolicyUpdate part = PolicyUpdate.newBuilder()
                .setPolicyId("peg-insert")
                .setVersion(9)
                .setGraph("residual")
                .setPartIndex(1)
                .setPartCount(3)
                .setPayload(ByteString.copyFrom(new byte[] {1, 2, 3}))
                .setTotalSizeBytes(700_000)
                .setSha256(ByteString.copyFrom(new byte[32]))
                .setSignature(ByteString.copyFrom(new byte[64]))
                .setKeyId("ab12")
                .setProvenance(Provenance.newBuilder().setLearnerId("learner-0").setTrainingStep(4200)
                        .setStage("ONLINE_RESIDUAL"))
                .build();
        String decoded = Protoc.decode("tendon.v1.PolicyUpdate", "tendon/v1/policy.proto", part.toByteArray());
        assertTrue(decoded.contains("policy_id: \"peg-insert\""), decoded);
        assertTrue(decoded.contains("part_index: 1"), decoded);
        assertTrue(decoded.contains("part_count: 3"), decoded);
        assertTrue(decoded.contains("payload: \"\\001\\002\\003\""), decoded);
        assertTrue(decoded.contains("training_step: 4200"), decoded);
        assertTrue(decoded.contains("stage: \"ONLINE_RESIDUAL\""), decoded);
    }

    @Test
    void bundleManifestReadsFromItsJsonMapping() throws IOException {
        String json = """
                {
                  "manifestVersion": 1,
                  "policyId": "peg-insert",
                  "mode": "CHUNK",
                  "rates": {"controlHz": 1000, "policyHz": 10, "chunkLength": 16, "execHorizon": 8},
                  "graphs": [{"role": "HEAD", "file": "head.onnx",
                              "inputs": [{"name": "latent", "shape": [1, 64], "dtype": "FLOAT32"}],
                              "outputs": [{"name": "chunk", "shape": [1, 16, 13], "dtype": "FLOAT32"}]}],
                  "residualScale": 0.2
                }
                """;
        BundleManifest.Builder manifest = BundleManifest.newBuilder();
        JsonFormat.parser().merge(json, manifest);
        assertEquals(PolicyMode.CHUNK, manifest.getMode());
        assertEquals(16, manifest.getRates().getChunkLength());
        assertEquals(13, manifest.getGraphs(0).getOutputs(0).getShape(2));
        assertEquals(0.2f, manifest.getResidualScale());
        assertThrows(IOException.class,
                () -> JsonFormat.parser().merge("{\"policyId\": \"x\", \"speed\": 3}", BundleManifest.newBuilder()),
                "an unknown manifest key is an error, not silently ignored");
    }
}
