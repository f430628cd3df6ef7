package io.tendon.learner.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.schemas.access.AccessRules;
import io.tendon.schemas.access.BearerToken;
import io.tendon.schemas.access.DevCredentials;
import io.tendon.schemas.access.Role;
import io.tendon.schemas.v1.LearnerServiceProto;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.TestTokens;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every gRPC method of the learner (status, diagnostics, health, reflection) over TLS with client
 * certificates requested: anonymous and unknown tokens get UNAUTHENTICATED, every role the method
 * does not admit PERMISSION_DENIED (by token and by client certificate), the right token or
 * certificate gets through; refusals are counted.
 */
@QuarkusTest
@TestProfile(LearnerAccessTest.Tls.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class LearnerAccessTest {

    static final Path CREDENTIALS = Path.of("target/test-credentials");
    static final int SSL_PORT = Integer.parseInt(System.getenv().getOrDefault("TENDON_LEARNER_TEST_SSL_PORT", "18493"));

    public static class Tls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Map<String, String> p = new HashMap<>(DevCredentials.ensure(CREDENTIALS).serviceProperties("tendon.auth", true));
                p.put("quarkus.http.test-ssl-port", Integer.toString(SSL_PORT));
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    MeterRegistry registry;

    private static DevCredentials creds;
    private static final Map<String, ManagedChannel> channels = new HashMap<>();

    @BeforeAll
    static void credentials() throws IOException {
        creds = DevCredentials.ensure(CREDENTIALS);
    }

    @AfterAll
    static void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    private static synchronized ManagedChannel channel(Role certificate) throws Exception {
        String key = String.valueOf(certificate);
        ManagedChannel c = channels.get(key);
        if (c == null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(creds.trustStore())) {
                trust.load(in, creds.password().toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(tmf);
            if (certificate != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(creds.clientKeyStore(certificate))) {
                    ks.load(in, creds.password().toCharArray());
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, creds.password().toCharArray());
                ssl.keyManager(kmf);
            }
            c = NettyChannelBuilder.forAddress("localhost", SSL_PORT).sslContext(ssl.build()).build();
            channels.put(key, c);
        }
        return c;
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static Status call(Channel channel, String method, MethodDescriptor.MethodType type, CallCredentials as)
            throws Exception {
        MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(method).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS);
        if (as != null) {
            options = options.withCallCredentials(as);
        }
        ClientCall<byte[], byte[]> call = channel.newCall(md, options);
        CompletableFuture<Status> done = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                done.complete(status);
            }
        }, new Metadata());
        call.request(1000);
        call.sendMessage(new byte[0]);
        call.halfClose();
        return done.get(10, TimeUnit.SECONDS);
    }

    private record Method(String name, MethodDescriptor.MethodType type) {
    }

    private static List<Method> methods() {
        List<Method> all = new ArrayList<>();
        for (Descriptors.ServiceDescriptor s : LearnerServiceProto.getDescriptor().getServices()) {
            for (Descriptors.MethodDescriptor m : s.getMethods()) {
                MethodDescriptor.MethodType type = m.isClientStreaming() && m.isServerStreaming()
                        ? MethodDescriptor.MethodType.BIDI_STREAMING
                        : m.isClientStreaming() ? MethodDescriptor.MethodType.CLIENT_STREAMING
                        : m.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING
                        : MethodDescriptor.MethodType.UNARY;
                all.add(new Method(s.getFullName() + "/" + m.getName(), type));
            }
        }
        all.add(new Method("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY));
        all.add(new Method("grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                MethodDescriptor.MethodType.BIDI_STREAMING));
        all.add(new Method("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                MethodDescriptor.MethodType.BIDI_STREAMING));
        return all;
    }

    private double refused(String code) {
        return registry.find("tendon.learner.grpc.refused").tag("code", code).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void everyMethodRefusesAnonymousAndWrongRolesAndAdmitsTheRightTokenOrCertificate() throws Exception {
        AccessRules rules = LearnerAccess.RULES;
        double unauthenticated = refused("unauthenticated");
        double denied = refused("permission_denied");
        int expectUnauthenticated = 0;
        int expectDenied = 0;
        Map<String, String> report = new LinkedHashMap<>();
        for (Method m : methods()) {
            Set<Role> allowed = rules.allowed(m.name());
            assertFalse(allowed.isEmpty(), m.name() + " has no rule");
            Status anonymous = call(channel(null), m.name(), m.type(), null);
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getCode(), m.name() + " anonymous: " + anonymous);
            Status forged = call(channel(null), m.name(), m.type(), new BearerToken("not-a-known-token"));
            assertEquals(Status.Code.UNAUTHENTICATED, forged.getCode(), m.name() + " unknown token: " + forged);
            expectUnauthenticated += 2;
            for (Role wrong : allowed.containsAll(EnumSet.allOf(Role.class)) ? EnumSet.noneOf(Role.class)
                    : EnumSet.complementOf(EnumSet.copyOf(allowed))) {
                Status byToken = call(channel(null), m.name(), m.type(), TestTokens.credentials(wrong));
                assertEquals(Status.Code.PERMISSION_DENIED, byToken.getCode(), m.name() + " as " + wrong + ": " + byToken);
                Status byCert = call(channel(wrong), m.name(), m.type(), null);
                assertEquals(Status.Code.PERMISSION_DENIED, byCert.getCode(), m.name() + " with " + wrong
                        + "'s certificate: " + byCert);
                expectDenied += 2;
            }
            for (Role right : allowed) {
                Status byToken = call(channel(null), m.name(), m.type(), TestTokens.credentials(right));
                Status byCert = call(channel(right), m.name(), m.type(), null);
                for (Status s : new Status[] {byToken, byCert}) {
                    assertNotEquals(Status.Code.UNAUTHENTICATED, s.getCode(), m.name() + " as " + right + ": " + s);
                    assertNotEquals(Status.Code.PERMISSION_DENIED, s.getCode(), m.name() + " as " + right + ": " + s);
                }
                report.put(m.name() + " as " + right, byToken.getCode() + "/" + byCert.getCode());
            }
        }
        // Status and diagnostics are not open to a robot driver's credential.
        assertFalse(rules.allowed("tendon.v1.LearnerStatusService/GetStatus").contains(Role.DRIVER));
        assertFalse(rules.allowed("tendon.v1.Diagnostics/Evaluate").contains(Role.DRIVER));
        assertEquals(unauthenticated + expectUnauthenticated, refused("unauthenticated"), 0.0, report.toString());
        assertEquals(denied + expectDenied, refused("permission_denied"), 0.0, report.toString());
    }
}
