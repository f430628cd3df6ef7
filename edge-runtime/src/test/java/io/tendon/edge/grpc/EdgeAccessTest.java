package io.tendon.edge.grpc;

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
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
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
import io.tendon.schemas.v1.EdgeServiceProto;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.PreemptRequest;
import io.tendon.schemas.v1.SessionKind;
import io.tendon.schemas.v1.SessionsGrpc;
import io.tendon.schemas.v1.TeleopGrpc;
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
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every gRPC method of the edge, on both its listeners (the HTTP port with TLS and client
 * certificates requested, and the robot bridge's own, with TLS too): an anonymous caller gets
 * UNAUTHENTICATED, a caller whose role the method does not admit PERMISSION_DENIED, the right
 * token or the right client certificate gets through; refusals are counted. Then the teleop
 * session's lease and an operator's pre-emption.
 */
@QuarkusTest
@TestProfile(EdgeAccessTest.Tls.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class EdgeAccessTest {

    static final Path CREDENTIALS = Path.of("target/test-credentials");
    static final int SSL_PORT = Integer.parseInt(System.getenv().getOrDefault("TENDON_EDGE_TEST_SSL_PORT", "18443"));

    public static class Tls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Map<String, String> p = new HashMap<>(DevCredentials.ensure(CREDENTIALS)
                        .serviceProperties("tendon.edge.auth", true));
                p.put("quarkus.http.test-ssl-port", Integer.toString(SSL_PORT));
                p.put("tendon.edge.bridge", "grpc");
                p.put("tendon.edge.bridge-server.tls-configuration-name", "default");
                p.put("tendon.edge.teleop.lease-ms", "400");
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    BridgeServer bridge;

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

    /** A TLS channel to {@code port}, presenting {@code role}'s client certificate (or none). */
    private static synchronized ManagedChannel channel(int port, Role certificate) throws Exception {
        String key = port + "/" + certificate;
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
            c = NettyChannelBuilder.forAddress("localhost", port).sslContext(ssl.build()).build();
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

    /** Calls {@code method} with one empty request message and returns how the call ended. */
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

    private record Method(String name, MethodDescriptor.MethodType type, boolean onBridge) {
    }

    private static MethodDescriptor.MethodType type(Descriptors.MethodDescriptor m) {
        return m.isClientStreaming() && m.isServerStreaming() ? MethodDescriptor.MethodType.BIDI_STREAMING
                : m.isClientStreaming() ? MethodDescriptor.MethodType.CLIENT_STREAMING
                : m.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY;
    }

    /** Every method the edge serves: its own contracts, the bridge's echo, reflection. */
    private static List<Method> methods() {
        List<Method> all = new ArrayList<>();
        for (Descriptors.ServiceDescriptor s : EdgeServiceProto.getDescriptor().getServices()) {
            for (Descriptors.MethodDescriptor m : s.getMethods()) {
                all.add(new Method(s.getFullName() + "/" + m.getName(), type(m), s.getName().equals("RobotBridge")));
            }
        }
        all.add(new Method(BridgeEcho.ECHO.getFullMethodName(), MethodDescriptor.MethodType.BIDI_STREAMING, true));
        all.add(new Method("grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                MethodDescriptor.MethodType.BIDI_STREAMING, false));
        all.add(new Method("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                MethodDescriptor.MethodType.BIDI_STREAMING, false));
        return all;
    }

    private double refused(String code) {
        return registry.find("tendon.edge.grpc.refused").tag("code", code).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void everyMethodRefusesAnonymousAndWrongRolesAndAdmitsTheRightTokenOrCertificate() throws Exception {
        AccessRules rules = EdgeAccess.RULES;
        double unauthenticated = refused("unauthenticated");
        double denied = refused("permission_denied");
        int expectUnauthenticated = 0;
        int expectDenied = 0;
        Map<String, String> report = new LinkedHashMap<>();
        for (Method m : methods()) {
            int port = m.onBridge() ? bridge.port() : SSL_PORT;
            Set<Role> allowed = rules.allowed(m.name());
            assertFalse(allowed.isEmpty(), m.name() + " has no rule");
            // Anonymous: no token, no certificate.
            Status anonymous = call(channel(port, null), m.name(), m.type(), null);
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getCode(), m.name() + " anonymous: " + anonymous);
            expectUnauthenticated++;
            Status forged = call(channel(port, null), m.name(), m.type(), new BearerToken("not-a-known-token"));
            assertEquals(Status.Code.UNAUTHENTICATED, forged.getCode(), m.name() + " unknown token: " + forged);
            expectUnauthenticated++;
            // Every role the method does not admit, by token and by certificate.
            for (Role wrong : EnumSet.complementOf(EnumSet.copyOf(allowed))) {
                Status byToken = call(channel(port, null), m.name(), m.type(), TestTokens.credentials(wrong));
                assertEquals(Status.Code.PERMISSION_DENIED, byToken.getCode(), m.name() + " as " + wrong + ": " + byToken);
                Status byCert = call(channel(port, wrong), m.name(), m.type(), null);
                assertEquals(Status.Code.PERMISSION_DENIED, byCert.getCode(), m.name() + " with " + wrong
                        + "'s certificate: " + byCert);
                expectDenied += 2;
            }
            // The right role, by token and by client certificate: past the check (the call itself
            // may still refuse an empty request for its own reasons).
            Role right = allowed.iterator().next();
            Status byToken = call(channel(port, null), m.name(), m.type(), TestTokens.credentials(right));
            Status byCert = call(channel(port, right), m.name(), m.type(), null);
            for (Status s : new Status[] {byToken, byCert}) {
                assertNotEquals(Status.Code.UNAUTHENTICATED, s.getCode(), m.name() + " as " + right + ": " + s);
                assertNotEquals(Status.Code.PERMISSION_DENIED, s.getCode(), m.name() + " as " + right + ": " + s);
            }
            report.put(m.name(), allowed + " -> " + byToken.getCode() + "/" + byCert.getCode());
        }
        assertEquals(unauthenticated + expectUnauthenticated, refused("unauthenticated"), 0.0, report.toString());
        assertEquals(denied + expectDenied, refused("permission_denied"), 0.0, report.toString());
    }

    @Test
    void everyServiceReflectionListsHasRules() throws Exception {
        LinkedBlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel(SSL_PORT, Role.OBSERVER))
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        ServerReflectionResponse r = responses.poll(10, TimeUnit.SECONDS);
        requests.onCompleted();
        Set<String> services = new TreeSet<>();
        r.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
        assertTrue(services.contains("tendon.v1.Teleop"), services.toString());
        assertFalse(services.contains("tendon.v1.RobotBridge"), "the bridge is not on the HTTP port: " + services);
        for (String s : services) {
            assertTrue(EdgeAccess.RULES.covers(s + "/Any"), "no rule for service " + s);
        }
    }

    @Test
    void aSilentTeleopStreamLosesItsLeaseAndAnOperatorPreemptsAnother() throws Exception {
        Channel ch = channel(SSL_PORT, Role.OPERATOR);
        // A device that connects, sends one sample and then nothing: the 400 ms lease closes it.
        CompletableFuture<Throwable> first = new CompletableFuture<>();
        StreamObserver<InterventionCommand> stale = TeleopGrpc.newStub(ch).intervene(observer(first));
        stale.onNext(InterventionCommand.newBuilder().setSequence(1).setEngaged(false).build());
        Throwable end = first.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.ABORTED, Status.fromThrowable(end).getCode());
        assertTrue(Status.fromThrowable(end).getDescription().contains("lease expired"), end.toString());

        // A second one is taken over explicitly by another operator, over a token.
        CompletableFuture<Throwable> second = new CompletableFuture<>();
        StreamObserver<InterventionCommand> held = TeleopGrpc.newStub(ch).intervene(observer(second));
        held.onNext(InterventionCommand.newBuilder().setSequence(1).setEngaged(false).build());
        Thread.sleep(100);
        var ack = SessionsGrpc.newBlockingStub(channel(SSL_PORT, null))
                .withCallCredentials(TestTokens.credentials(Role.OPERATOR))
                .preempt(PreemptRequest.newBuilder().setKind(SessionKind.TELEOP).setReason("tablet left on").build());
        assertTrue(ack.getAccepted(), ack.getReason());
        Throwable preempted = second.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.ABORTED, Status.fromThrowable(preempted).getCode());
        assertTrue(Status.fromThrowable(preempted).getDescription().contains("pre-empted by operator test-operator"),
                preempted.toString());

        // The next operator's stream works at once.
        CompletableFuture<Throwable> third = new CompletableFuture<>();
        CompletableFuture<InterventionSummary> summary = new CompletableFuture<>();
        StreamObserver<InterventionCommand> next = TeleopGrpc.newStub(ch).intervene(new StreamObserver<>() {
            @Override
            public void onNext(InterventionSummary value) {
                summary.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                third.complete(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        next.onNext(InterventionCommand.newBuilder().setSequence(1).setEngaged(false).build());
        next.onCompleted();
        assertEquals(1, summary.get(10, TimeUnit.SECONDS).getSamplesAccepted());
        assertFalse(third.isDone());
    }

    private static StreamObserver<InterventionSummary> observer(CompletableFuture<Throwable> error) {
        return new StreamObserver<>() {
            @Override
            public void onNext(InterventionSummary value) {
            }

            @Override
            public void onError(Throwable t) {
                error.complete(t);
            }

            @Override
            public void onCompleted() {
                error.complete(new IllegalStateException("completed"));
            }
        };
    }
}
