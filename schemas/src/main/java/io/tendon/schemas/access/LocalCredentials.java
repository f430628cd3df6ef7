package io.tendon.schemas.access;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Development credentials for the local run, in one call: {@code LocalCredentials.generate(dir)}
 * creates (once; later runs reuse them) a bearer token per role and development certificates under
 * {@code dir} (for example {@code .tendon/credentials}, which git ignores), and returns the
 * properties that make the edge and the learner accept them. The properties hold only SHA-256
 * hashes of the tokens and paths, never a secret, so they may go on a command line; the tokens
 * themselves are in {@code dir/tokens/ROLE.token}, readable by the owner only.
 *
 * <p>Without TLS (the default), callers present a token over plain HTTP/2 on the services' ports;
 * {@link #withTls(int, int)} adds the Quarkus TLS registry settings (server key store, trust store,
 * client certificates requested) and an HTTPS port for each service, where the development client
 * certificates ({@code dir/tls/ROLE.p12}) work as well.
 */
public final class LocalCredentials {

    private final DevCredentials credentials;
    private final boolean tls;
    private final int edgeSslPort;
    private final int learnerSslPort;

    private LocalCredentials(DevCredentials credentials, boolean tls, int edgeSslPort, int learnerSslPort) {
        this.credentials = credentials;
        this.tls = tls;
        this.edgeSslPort = edgeSslPort;
        this.learnerSslPort = learnerSslPort;
    }

    /** Generates what {@code dir} lacks (or reuses a complete set) and returns the local run's credentials. */
    public static LocalCredentials generate(Path dir) throws IOException {
        return new LocalCredentials(DevCredentials.ensure(dir), false, 0, 0);
    }

    /** The same credentials, with TLS on both services (HTTPS on the given ports, client certificates requested). */
    public LocalCredentials withTls(int edgeSslPort, int learnerSslPort) {
        return new LocalCredentials(credentials, true, edgeSslPort, learnerSslPort);
    }

    /** Properties for the edge: {@code tendon.edge.auth.*} (and the TLS registry with {@link #withTls}). */
    public Map<String, String> edgeProperties() {
        Map<String, String> p = new LinkedHashMap<>(credentials.serviceProperties("tendon.edge.auth", tls));
        if (tls) {
            p.put("quarkus.http.ssl-port", Integer.toString(edgeSslPort));
        }
        return p;
    }

    /** Properties for the learner: {@code tendon.auth.*} (and the TLS registry with {@link #withTls}). */
    public Map<String, String> learnerProperties() {
        Map<String, String> p = new LinkedHashMap<>(credentials.serviceProperties("tendon.auth", tls));
        if (tls) {
            p.put("quarkus.http.ssl-port", Integer.toString(learnerSslPort));
        }
        return p;
    }

    /** {@link #edgeProperties()} as JVM arguments ({@code -Dkey=value}). */
    public List<String> edgeJvmArgs() {
        return jvmArgs(edgeProperties());
    }

    /** {@link #learnerProperties()} as JVM arguments ({@code -Dkey=value}). */
    public List<String> learnerJvmArgs() {
        return jvmArgs(learnerProperties());
    }

    private static List<String> jvmArgs(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("-D" + k + "=" + v));
        return args;
    }

    /** The bearer token of {@code role} (for the local run's own tools, and to print where it is). */
    public String token(Role role) {
        return credentials.token(role);
    }

    /** The file holding {@code role}'s token. */
    public Path tokenFile(Role role) {
        return credentials.directory().resolve("tokens/" + role.configName() + ".token");
    }

    public DevCredentials credentials() {
        return credentials;
    }
}
