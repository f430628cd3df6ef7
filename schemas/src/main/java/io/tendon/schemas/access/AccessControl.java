package io.tendon.schemas.access;

import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Decides, per call, who the caller is (a bearer token's hash, or a verified client certificate's
 * CN) and whether its role may call the method. Immutable; any thread.
 */
public final class AccessControl {

    /** Why a call was let through or not. */
    public enum Verdict {
        ALLOWED,
        /** No credential, or one that matches nothing: gRPC UNAUTHENTICATED. */
        UNAUTHENTICATED,
        /** A known credential whose role the method does not admit: gRPC PERMISSION_DENIED. */
        PERMISSION_DENIED
    }

    /** The outcome for one call: the verdict, the caller when known, and a reason for refusals. */
    public record Decision(Verdict verdict, Principal principal, String reason) {
    }

    private record TokenEntry(String name, Role role, byte[] hash) {
    }

    private final boolean enabled;
    private final List<TokenEntry> tokens = new ArrayList<>();
    private final Map<String, Role> certificateRoles;
    private final AccessRules rules;

    public AccessControl(AccessConfig config, AccessRules rules) {
        this.enabled = config.enabled();
        this.rules = rules;
        HexFormat hex = HexFormat.of();
        config.tokens().forEach((name, t) -> tokens.add(new TokenEntry(name, Role.parse(t.role()), hex.parseHex(t.sha256()))));
        Map<String, Role> certs = new java.util.HashMap<>();
        config.certificateRoles().forEach((cn, role) -> certs.put(unquote(cn), Role.parse(role)));
        this.certificateRoles = Map.copyOf(certs);
    }

    /** Whether checks are on (tendon.*.auth.enabled). */
    public boolean enabled() {
        return enabled;
    }

    /** Tokens and certificate CNs configured; with checks on and none, every call is refused. */
    public int credentialCount() {
        return tokens.size() + certificateRoles.size();
    }

    public AccessRules rules() {
        return rules;
    }

    /**
     * @param fullMethodName {@code package.Service/Method}
     * @param authorization  the {@code authorization} metadata value, or null
     * @param ssl            the call's TLS session, or null on a plain-text connection
     */
    public Decision decide(String fullMethodName, String authorization, SSLSession ssl) {
        Set<Role> allowed = rules.allowed(fullMethodName);
        if (!enabled) {
            return new Decision(Verdict.ALLOWED, new Principal("anonymous", allowed.isEmpty() ? Role.OBSERVER
                    : allowed.iterator().next(), "open"), null);
        }
        Principal who;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Decision(Verdict.UNAUTHENTICATED, null, "authorization is not 'Bearer TOKEN'");
            }
            who = token(authorization.substring(7).trim());
            if (who == null) {
                return new Decision(Verdict.UNAUTHENTICATED, null, "unknown bearer token");
            }
        } else {
            String cn = clientCertificateCn(ssl);
            if (cn == null) {
                return new Decision(Verdict.UNAUTHENTICATED, null, "no credentials: send 'authorization: Bearer TOKEN'"
                        + " or a client certificate");
            }
            Role role = certificateRoles.get(cn);
            if (role == null) {
                return new Decision(Verdict.UNAUTHENTICATED, null, "client certificate CN=" + cn + " has no role");
            }
            who = new Principal(cn, role, "certificate");
        }
        if (!allowed.contains(who.role())) {
            return new Decision(Verdict.PERMISSION_DENIED, who, who.role().configName() + " may not call "
                    + fullMethodName + (allowed.isEmpty() ? " (no role may)" : " (needs " + names(allowed) + ")"));
        }
        return new Decision(Verdict.ALLOWED, who, null);
    }

    private Principal token(String token) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Principal found = null;
        for (TokenEntry t : tokens) {
            // Constant time per entry, and every entry is compared.
            if (MessageDigest.isEqual(hash, t.hash()) && found == null) {
                found = new Principal(t.name(), t.role(), "token");
            }
        }
        return found;
    }

    /** The CN of the verified client certificate, or null without one. */
    static String clientCertificateCn(SSLSession ssl) {
        if (ssl == null) {
            return null;
        }
        Certificate[] chain;
        try {
            chain = ssl.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return null;
        }
        return commonName(leaf.getSubjectX500Principal().getName());
    }

    static String commonName(String rfc2253) {
        try {
            for (Rdn rdn : new LdapName(rfc2253).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    private static String unquote(String key) {
        return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
    }

    private static String names(Set<Role> roles) {
        return String.join(" or ", roles.stream().map(Role::configName).toList());
    }
}
