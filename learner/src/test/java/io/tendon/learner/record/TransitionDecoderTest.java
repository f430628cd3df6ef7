package io.tendon.learner.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.tendon.learner.LearnerTestConfig;
import io.tendon.schemas.layout.LayoutConfig;
import io.tendon.schemas.v1.ActionChunk;
import io.tendon.schemas.v1.Observation;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.Transitions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written decoder against protobuf-java, the reference parser: on valid messages, on
 * every legal encoding variant (unpacked, reordered, repeated, unknown fields), and on
 * truncated and corrupted bytes, both must accept or refuse the same input and agree on every
 * field.
 */
class TransitionDecoderTest {

    private static final LayoutConfig LAYOUT = LearnerTestConfig.of().layout();
    private final TransitionDecoder decoder = new TransitionDecoder();
    private final DecodedTransition decoded = new DecodedTransition(LAYOUT);

    @Test
    void theReferenceRecordDecodesToItsFields() throws Exception {
        Transition t = Transitions.valid("robot-7", "ep-3", 42).setTerminated(true).setInterventionMask(3, true).build();
        decoder.decode(t.toByteArray(), decoded);
        assertSame(t, decoded);
        assertEquals("robot-7", decoded.robotIdString());
        assertEquals(42, decoded.step);
        assertTrue(decoded.intervened(3));
        assertEquals(t.getObservation().getWrench(5), decoded.state[decoded.wrenchOffset() + 5]);
    }

    @Test
    void randomMessagesDecodeLikeProtobufJava() throws Exception {
        Random random = new Random(21);
        for (int i = 0; i < 500; i++) {
            Transition t = randomTransition(random);
            byte[] bytes = t.toByteArray();
            decoder.decode(bytes, decoded);
            assertSame(Transition.parseFrom(bytes), decoded);
        }
    }

    @Test
    void everyLegalEncodingVariantDecodesLikeProtobufJava() throws Exception {
        Random random = new Random(22);
        for (int i = 0; i < 300; i++) {
            Transition t = randomTransition(random);
            byte[] bytes = reencode(t, random);
            Transition reference = Transition.parseFrom(bytes);
            decoder.decode(bytes, decoded);
            assertSame(reference, decoded);
        }
    }

    @Test
    void truncatedAndCorruptedBytesAreRefusedExactlyWhenProtobufJavaRefusesThem() {
        Random random = new Random(23);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = randomTransition(random).toByteArray();
            if (i % 3 == 0) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            } else {
                for (int k = 1 + random.nextInt(3); k > 0; k--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            Transition reference = null;
            try {
                reference = Transition.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                refused++;
                byte[] finalBytes = bytes;
                assertThrows(TransitionDecoder.MalformedException.class, () -> decoder.decode(finalBytes, decoded),
                        "protobuf-java refused: " + e.getMessage());
                continue;
            }
            try {
                decoder.decode(bytes, decoded);
            } catch (TransitionDecoder.MalformedException e) {
                throw new AssertionError("protobuf-java accepted what the decoder refused: " + e.getMessage());
            }
            assertSame(reference, decoded);
        }
        assertTrue(refused > 500, "the corruption exercised the refusal paths: " + refused);
    }

    @Test
    void invalidUtf8InAnIdIsRefusedLikeProtobufJava() {
        byte[] ok = Transitions.valid("robot-1", "ep-1", 0).build().toByteArray();
        byte[] bad = ok.clone();
        // robot_id is field 2, right after layout_version (2 bytes): tag, length, then "robot-1".
        int at = indexOf(bad, "robot-1".getBytes(StandardCharsets.UTF_8));
        bad[at] = (byte) 0xC0; // an overlong lead byte: never valid UTF-8
        assertThrows(InvalidProtocolBufferException.class, () -> Transition.parseFrom(bad));
        assertThrows(TransitionDecoder.MalformedException.class, () -> decoder.decode(bad, decoded));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    static Transition randomTransition(Random r) {
        Transition.Builder b = Transition.newBuilder();
        if (r.nextInt(10) > 0) {
            b.setLayoutVersion(r.nextInt(10) > 0 ? 1 : r.nextInt(5));
        }
        if (r.nextInt(10) > 0) {
            b.setRobotId(r.nextInt(20) > 0 ? "robot-" + r.nextInt(100) : "x".repeat(130 + r.nextInt(10)));
        }
        if (r.nextInt(10) > 0) {
            b.setEpisodeId(r.nextInt(30) > 0 ? "ep-" + r.nextInt(1000) : "épisode");
        }
        b.setStep(r.nextInt(5) == 0 ? r.nextLong() : r.nextInt(1000));
        b.setSourceValue(r.nextInt(5));
        b.setPolicyVersion(r.nextInt(100));
        b.setTerminated(r.nextInt(4) == 0).setTruncated(r.nextInt(6) == 0);
        b.setStartTimeUnixNanos(r.nextLong()).setPublishTimeUnixNanos(r.nextInt(3) == 0 ? 0 : r.nextLong());
        if (r.nextInt(10) > 0) {
            b.setObservation(observation(r));
        }
        if (r.nextInt(10) > 0) {
            b.setNextObservation(observation(r));
        }
        if (r.nextInt(10) > 0) {
            b.setExecutedChunk(chunk(r));
        }
        if (r.nextInt(3) > 0) {
            b.setPolicyChunk(chunk(r));
        }
        for (int i = r.nextInt(3); i > 0; i--) {
            b.addBaseSamples(chunk(r));
        }
        int h = near(r, 16);
        for (int i = 0; i < h; i++) {
            b.addRewards(value(r));
        }
        for (int i = near(r, 16); i > 0; i--) {
            b.addValidMask(r.nextBoolean());
        }
        for (int i = near(r, 16); i > 0; i--) {
            b.addInterventionMask(r.nextBoolean());
        }
        return b.build();
    }

    private static int near(Random r, int n) {
        return r.nextInt(8) > 0 ? n : r.nextInt(2 * n + 2);
    }

    private static float value(Random r) {
        int k = r.nextInt(200);
        return k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY : (float) r.nextGaussian();
    }

    private static Observation observation(Random r) {
        Observation.Builder o = Observation.newBuilder();
        for (int i = near(r, 40); i > 0; i--) {
            o.addLatent(value(r));
        }
        for (int i = near(r, 12); i > 0; i--) {
            o.addProprio(value(r));
        }
        for (int i = near(r, 12); i > 0; i--) {
            o.addWrench(value(r));
        }
        return o.build();
    }

    private static ActionChunk chunk(Random r) {
        ActionChunk.Builder c = ActionChunk.newBuilder().setHorizon(near(r, 16)).setActionDim(near(r, 13));
        for (int i = r.nextInt(8) > 0 ? 208 : r.nextInt(420); i > 0; i--) {
            c.addValues(value(r));
        }
        return c.build();
    }

    /**
     * Writes {@code t} field by field in shuffled order, with repeated scalars unpacked or
     * split into several packed runs, embedded messages split in two (protobuf merges them),
     * scalars written twice (the last wins), unknown fields of every wire type, and known field
     * numbers with the wrong wire type (unknown to protobuf).
     */
    static byte[] reencode(Transition t, Random r) throws IOException {
        List<byte[]> fields = new ArrayList<>();
        if (t.getLayoutVersion() != 0) {
            fields.add(field(o -> {
                if (r.nextBoolean()) {
                    o.writeUInt32(1, 999); // overwritten by the later value
                }
                o.writeUInt32(1, t.getLayoutVersion());
            }));
        }
        if (!t.getRobotId().isEmpty()) {
            fields.add(field(o -> o.writeString(2, t.getRobotId())));
        }
        if (!t.getEpisodeId().isEmpty()) {
            fields.add(field(o -> o.writeString(3, t.getEpisodeId())));
        }
        fields.add(field(o -> o.writeUInt64(4, t.getStep())));
        fields.add(field(o -> o.writeEnum(5, t.getSourceValue())));
        fields.add(field(o -> o.writeUInt64(6, t.getPolicyVersion())));
        fields.add(field(o -> o.writeBool(14, t.getTerminated())));
        fields.add(field(o -> o.writeBool(15, t.getTruncated())));
        fields.add(field(o -> o.writeInt64(17, t.getStartTimeUnixNanos())));
        fields.add(field(o -> o.writeInt64(18, t.getPublishTimeUnixNanos())));
        if (t.hasObservation()) {
            fields.add(field(o -> observation(o, 7, t.getObservation(), r)));
        }
        if (t.hasNextObservation()) {
            fields.add(field(o -> observation(o, 13, t.getNextObservation(), r)));
        }
        if (t.hasExecutedChunk()) {
            fields.add(field(o -> chunk(o, 8, t.getExecutedChunk(), r)));
        }
        if (t.hasPolicyChunk()) {
            fields.add(field(o -> chunk(o, 9, t.getPolicyChunk(), r)));
        }
        // Repeated fields keep their relative order; base samples are one field, order matters.
        fields.add(field(o -> {
            for (ActionChunk c : t.getBaseSamplesList()) {
                o.writeMessage(19, c);
            }
        }));
        fields.add(field(o -> floats(o, 10, t.getRewardsList(), r)));
        fields.add(field(o -> bools(o, 11, t.getValidMaskList(), r)));
        fields.add(field(o -> bools(o, 12, t.getInterventionMaskList(), r)));
        fields.add(field(o -> unknown(o, r)));
        fields.add(field(o -> {
            // Known numbers, wrong wire types: protobuf keeps them as unknown fields.
            o.writeFixed32(1, 77);
            o.writeUInt64(10, 5);
            o.writeFixed64(7, 1);
        }));
        Collections.shuffle(fields, r);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.write(f);
        }
        return out.toByteArray();
    }

    private interface Writer {
        void write(CodedOutputStream o) throws IOException;
    }

    private static byte[] field(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(bytes);
        w.write(o);
        o.flush();
        return bytes.toByteArray();
    }

    private static void observation(CodedOutputStream o, int number, Observation obs, Random r) throws IOException {
        // Split in two occurrences: the parser must merge them (repeated fields concatenate).
        int cut = r.nextInt(obs.getLatentCount() + 1);
        Observation first = Observation.newBuilder().addAllLatent(obs.getLatentList().subList(0, cut)).build();
        Observation second = obs.toBuilder().clearLatent().addAllLatent(obs.getLatentList().subList(cut,
                obs.getLatentCount())).build();
        o.writeByteArray(number, field(p -> {
            floats(p, 1, first.getLatentList(), r);
            unknown(p, r);
        }));
        o.writeByteArray(number, field(p -> {
            List<byte[]> parts = new ArrayList<>();
            parts.add(field(q -> floats(q, 1, second.getLatentList(), r)));
            parts.add(field(q -> floats(q, 2, second.getProprioList(), r)));
            parts.add(field(q -> floats(q, 3, second.getWrenchList(), r)));
            // Different fields may come in any order; the latent run must stay after the first one.
            Collections.shuffle(parts.subList(1, 3), r);
            for (byte[] part : parts) {
                p.writeRawBytes(part);
            }
        }));
    }

    private static void chunk(CodedOutputStream o, int number, ActionChunk c, Random r) throws IOException {
        o.writeByteArray(number, field(p -> {
            p.writeUInt32(2, c.getActionDim());
            floats(p, 3, c.getValuesList(), r);
            p.writeUInt32(1, c.getHorizon());
            unknown(p, r);
        }));
    }

    private static void floats(CodedOutputStream o, int number, List<Float> values, Random r) throws IOException {
        int i = 0;
        while (i < values.size()) {
            int run = 1 + r.nextInt(values.size() - i);
            if (r.nextBoolean()) {
                for (int k = 0; k < run; k++) {
                    o.writeFloat(number, values.get(i + k));
                }
            } else {
                o.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(4 * run);
                for (int k = 0; k < run; k++) {
                    o.writeFloatNoTag(values.get(i + k));
                }
            }
            i += run;
        }
    }

    private static void bools(CodedOutputStream o, int number, List<Boolean> values, Random r) throws IOException {
        if (r.nextBoolean()) {
            for (boolean v : values) {
                // protobuf accepts any non-zero varint as true.
                o.writeUInt64(number, v ? 1 + r.nextInt(300) : 0);
            }
        } else if (!values.isEmpty()) {
            o.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(values.size());
            for (boolean v : values) {
                o.writeBoolNoTag(v);
            }
        }
    }

    private static void unknown(CodedOutputStream o, Random r) throws IOException {
        int number = 100 + r.nextInt(1000);
        switch (r.nextInt(5)) {
            case 0 -> o.writeUInt64(number, r.nextLong());
            case 1 -> o.writeFixed64(number, r.nextLong());
            case 2 -> o.writeByteArray(number, new byte[r.nextInt(20)]);
            case 3 -> o.writeFixed32(number, r.nextInt());
            default -> {
                o.writeTag(number, WireFormat.WIRETYPE_START_GROUP);
                o.writeUInt64(number + 1, 5);
                o.writeTag(number, WireFormat.WIRETYPE_END_GROUP);
            }
        }
    }

    /** Every field the learner uses agrees with protobuf-java's parse. */
    static void assertSame(Transition t, DecodedTransition d) {
        assertEquals(t.getLayoutVersion(), d.layoutVersion);
        assertEquals(t.getRobotId().getBytes(StandardCharsets.UTF_8).length, d.robotIdLength);
        if (d.robotIdLength <= DecodedTransition.MAX_ID_BYTES) {
            assertEquals(t.getRobotId(), d.robotIdString());
        }
        assertEquals(t.getEpisodeId().getBytes(StandardCharsets.UTF_8).length, d.episodeIdLength);
        if (d.episodeIdLength <= DecodedTransition.MAX_ID_BYTES) {
            assertEquals(t.getEpisodeId(), d.episodeIdString());
        }
        assertEquals(t.getStep(), d.step);
        assertEquals(t.getSourceValue(), d.source);
        assertEquals(t.getPolicyVersion(), d.policyVersion);
        assertEquals(t.getTerminated(), d.terminated);
        assertEquals(t.getTruncated(), d.truncated);
        assertEquals(t.getStartTimeUnixNanos(), d.startTimeUnixNanos);
        assertEquals(t.getPublishTimeUnixNanos(), d.publishTimeUnixNanos);
        assertEquals(t.hasObservation(), d.hasObservation);
        assertEquals(t.hasNextObservation(), d.hasNextObservation);
        assertEquals(t.hasExecutedChunk(), d.hasExecutedChunk);
        assertEquals(t.hasPolicyChunk(), d.hasPolicyChunk);
        observation(t.getObservation(), d, d.state, d.latentCount, d.proprioCount, d.wrenchCount);
        observation(t.getNextObservation(), d, d.nextState, d.nextLatentCount, d.nextProprioCount, d.nextWrenchCount);
        chunk(t.getExecutedChunk(), d.action, d.actionHorizon, d.actionActionDim, d.actionCount);
        chunk(t.getPolicyChunk(), d.policyAction, d.policyHorizon, d.policyActionDim, d.policyCount);
        assertEquals(t.getBaseSamplesCount(), d.baseSamplesCount);
        for (int i = 0; i < t.getBaseSamplesCount(); i++) {
            ActionChunk c = t.getBaseSamples(i);
            assertEquals(c.getHorizon(), d.baseHorizon[i]);
            assertEquals(c.getActionDim(), d.baseActionDim[i]);
            assertEquals(c.getValuesCount(), d.baseValueCount[i]);
            int firstBad = -1;
            for (int k = 0; k < c.getValuesCount() && firstBad < 0; k++) {
                if (!Float.isFinite(c.getValues(k))) {
                    firstBad = k;
                }
            }
            assertEquals(firstBad, d.baseFirstNonFinite[i]);
        }
        assertEquals(t.getRewardsCount(), d.rewardsCount);
        for (int i = 0; i < Math.min(t.getRewardsCount(), d.horizon); i++) {
            assertEquals(Float.floatToRawIntBits(t.getRewards(i)), Float.floatToRawIntBits(d.rewards[i]));
        }
        assertEquals(t.getValidMaskCount(), d.validMaskCount);
        assertEquals(t.getInterventionMaskCount(), d.interventionMaskCount);
        for (int i = 0; i < d.horizon; i++) {
            assertEquals(i < t.getValidMaskCount() && t.getValidMask(i), d.valid(i));
            assertEquals(i < t.getInterventionMaskCount() && t.getInterventionMask(i), d.intervened(i));
        }
    }

    private static void observation(Observation o, DecodedTransition d, float[] s, int latent, int proprio, int wrench) {
        assertEquals(o.getLatentCount(), latent);
        assertEquals(o.getProprioCount(), proprio);
        assertEquals(o.getWrenchCount(), wrench);
        float[] expected = new float[d.stateDim];
        float[] actual = new float[d.stateDim];
        for (int i = 0; i < Math.min(latent, d.latentDim); i++) {
            expected[i] = o.getLatent(i);
            actual[i] = s[i];
        }
        for (int i = 0; i < Math.min(proprio, d.proprioDim); i++) {
            expected[d.proprioOffset() + i] = o.getProprio(i);
            actual[d.proprioOffset() + i] = s[d.proprioOffset() + i];
        }
        for (int i = 0; i < Math.min(wrench, d.wrenchDim); i++) {
            expected[d.wrenchOffset() + i] = o.getWrench(i);
            actual[d.wrenchOffset() + i] = s[d.wrenchOffset() + i];
        }
        assertArrayEquals(expected, actual);
    }

    private static void chunk(ActionChunk c, float[] values, int horizon, int actionDim, int count) {
        assertEquals(c.getHorizon(), horizon);
        assertEquals(c.getActionDim(), actionDim);
        assertEquals(c.getValuesCount(), count);
        for (int i = 0; i < Math.min(count, values.length); i++) {
            assertEquals(Float.floatToRawIntBits(c.getValues(i)), Float.floatToRawIntBits(values[i]));
        }
    }
}
