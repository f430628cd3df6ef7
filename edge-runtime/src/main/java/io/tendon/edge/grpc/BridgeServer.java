package io.tendon.edge.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.control.InvalidConfigurationException;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.layout.LayoutConfig;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * The robot bridge's own gRPC listener (tendon.edge.bridge=grpc): RobotBridge/Connect and
 * BridgeEcho/Echo on {@code tendon.edge.bridge-server.host:port}, loopback by default, so that the
 * stream that moves the arm is not reachable wherever the operators' HTTP port is. grpc-java on
 * Netty with one named transport thread ({@code tendon-bridge-io}) on which states are screened
 * and handed to the control thread; every call passes {@link EdgeAccess} first; keepalive, idle
 * connections and inbound message size are set from configuration, and TLS (client certificates
 * requested) comes from the Quarkus TLS registry when configured.
 */
@ApplicationScoped
public class BridgeServer {

    private static final Logger LOG = Logger.getLogger(BridgeServer.class);

    @Inject
    EdgeConfig config;

    @Inject
    LayoutConfig layout;

    @Inject
    ControlService control;

    @Inject
    EdgeAccess access;

    @Inject
    TlsConfigurationRegistry tls;

    @Inject
    Vertx vertx;

    private Server server;
    private NioEventLoopGroup boss;
    private NioEventLoopGroup worker;

    /** After the control service has built the robot link. */
    void onStart(@Observes @Priority(3000) StartupEvent event) throws IOException {
        GrpcRobotLink link = control.robotLink();
        if (link == null) {
            return; // the simulator is the robot: no bridge to serve
        }
        EdgeConfig.BridgeServer c = config.bridgeServer();
        int needed = layout.latentDim() * 5 + 1024;
        if (c.maxInboundMessageBytes() < needed) {
            throw new InvalidConfigurationException(List.of("tendon.edge.bridge-server.max-inbound-message-bytes = "
                    + c.maxInboundMessageBytes() + " cannot hold a RobotState with tendon.layout.latent-dim = "
                    + layout.latentDim() + " observation features: at least " + needed));
        }
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("tendon-bridge-accept", true));
        worker = new NioEventLoopGroup(1, new DefaultThreadFactory("tendon-bridge-io", true, Thread.MAX_PRIORITY - 1));
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(c.host(), c.port()))
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(worker)
                // Screening a state is a few microseconds and never blocks: run it on the transport thread.
                .directExecutor()
                .maxInboundMessageSize(c.maxInboundMessageBytes())
                .maxInboundMetadataSize(8192)
                .keepAliveTime(c.keepaliveTimeMs(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(c.keepaliveTimeoutMs(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(c.permitKeepaliveTimeMs(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(c.maxConnectionIdleSeconds(), TimeUnit.SECONDS)
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .maxConcurrentCallsPerConnection(8)
                .addService(ServerInterceptors.intercept(new RobotBridgeService(link), access));
        if (c.echo()) {
            b.addService(ServerInterceptors.intercept(BridgeEcho.definition(), access));
        }
        String scheme = "plain text";
        if (c.tlsConfigurationName().isPresent()) {
            String name = c.tlsConfigurationName().get();
            TlsConfiguration t = (name.equals("default") ? tls.getDefault() : tls.get(name))
                    .orElseThrow(() -> new InvalidConfigurationException(List.of(
                            "tendon.edge.bridge-server.tls-configuration-name = " + name
                                    + ": no such TLS configuration (quarkus.tls" + (name.equals("default") ? "" : "." + name)
                                    + ".key-store...)")));
            try {
                KeyManagerFactory kmf = t.getKeyStoreOptions().getKeyManagerFactory(vertx);
                SslContextBuilder ssl = SslContextBuilder.forServer(kmf).clientAuth(ClientAuth.OPTIONAL);
                if (t.getTrustStoreOptions() != null) {
                    TrustManagerFactory tmf = t.getTrustStoreOptions().getTrustManagerFactory(vertx);
                    ssl.trustManager(tmf);
                }
                b.sslContext(GrpcSslContexts.configure(ssl).build());
                scheme = "TLS (" + name + ")";
            } catch (Exception e) {
                throw new IllegalStateException("TLS for the bridge listener from configuration " + name + ": " + e, e);
            }
        }
        server = b.build().start();
        LOG.infof("robot bridge listening on %s:%d (%s, driver lease %d ms)", c.host(), server.getPort(), scheme,
                c.driverLeaseMs());
    }

    /** The port the bridge listens on (differs from the configured one when that is 0); -1 when not serving. */
    public int port() {
        return server == null ? -1 : server.getPort();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            worker.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
