package io.tendon.schemas.access;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Development certificates, written with the JDK alone (no keytool process, no BouncyCastle): EC
 * P-256 keys and X.509 v3 certificates encoded here in DER and signed with SHA256withECDSA. A CA,
 * and leaves issued by it for a server (SAN localhost, 127.0.0.1) or a client (its CN picks the
 * role). For development and tests only: production certificates come from the site's PKI.
 */
public final class DevCertificates {

    /** A key pair and its certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] ECDSA_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
    private static final byte[] CN = oid(2, 5, 4, 3);

    private DevCertificates() {
    }

    /** A self-signed CA certificate valid for {@code days}. */
    public static Issued ca(String cn, int days) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        byte[] extensions = seq(
                extension(oid(2, 5, 29, 19), true, seq(bool(true))),
                extension(oid(2, 5, 29, 15), true, bitString(new byte[] {0x06}, 1))); // keyCertSign, cRLSign
        return new Issued(keys, sign(cn, cn, keys.getPublic().getEncoded(), keys.getPrivate(), days, extensions));
    }

    /**
     * A leaf issued by {@code ca}: with {@code server} true it carries SAN localhost and 127.0.0.1
     * and serves TLS; either way it may authenticate a client.
     */
    public static Issued leaf(Issued ca, String cn, boolean server, int days) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        write(ext, extension(oid(2, 5, 29, 19), true, seq()));
        write(ext, extension(oid(2, 5, 29, 15), true, bitString(new byte[] {(byte) 0x80}, 7))); // digitalSignature
        write(ext, extension(oid(2, 5, 29, 37), false,
                seq(oid(1, 3, 6, 1, 5, 5, 7, 3, 1), oid(1, 3, 6, 1, 5, 5, 7, 3, 2)))); // serverAuth, clientAuth
        if (server) {
            write(ext, extension(oid(2, 5, 29, 17), false, seq(
                    tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)),
                    tlv(0x87, new byte[] {127, 0, 0, 1}))));
        }
        String issuer = AccessControl.commonName(ca.certificate().getSubjectX500Principal().getName());
        return new Issued(keys, sign(issuer, cn, keys.getPublic().getEncoded(), ca.keys().getPrivate(), days,
                tlv(0x30, ext.toByteArray())));
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(String issuerCn, String subjectCn, byte[] subjectPublicKeyInfo,
            PrivateKey issuerKey, int days, byte[] extensions) throws GeneralSecurityException {
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] &= 0x7f;
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] algorithm = seq(ECDSA_SHA256);
        byte[] tbs = seq(
                tlv(0xa0, integer(BigInteger.TWO)),
                integer(new BigInteger(1, serial)),
                algorithm,
                name(issuerCn),
                seq(time(now.minusDays(1)), time(now.plusDays(days))),
                name(subjectCn),
                subjectPublicKeyInfo,
                tlv(0xa3, extensions));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(issuerKey);
        s.update(tbs);
        byte[] der = seq(tbs, algorithm, bitString(s.sign(), 0));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    // ---- DER ----------------------------------------------------------------------------------

    private static byte[] name(String cn) {
        return seq(tlv(0x31, seq(CN, tlv(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(ZonedDateTime t) {
        // UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
        if (t.getYear() < 2050) {
            return tlv(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
        }
        return tlv(0x18, t.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? seq(oid, bool(true), tlv(0x04, value)) : seq(oid, tlv(0x04, value));
    }

    private static byte[] bool(boolean b) {
        return tlv(0x01, new byte[] {(byte) (b ? 0xff : 0)});
    }

    private static byte[] integer(BigInteger v) {
        return tlv(0x02, v.toByteArray());
    }

    private static byte[] bitString(byte[] bits, int unused) {
        byte[] v = new byte[bits.length + 1];
        v[0] = (byte) unused;
        System.arraycopy(bits, 0, v, 1, bits.length);
        return tlv(0x03, v);
    }

    static byte[] oid(int... arcs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int v = arcs[i];
            int n = 0;
            byte[] tmp = new byte[5];
            do {
                tmp[n++] = (byte) (v & 0x7f);
                v >>>= 7;
            } while (v != 0);
            for (int j = n - 1; j >= 0; j--) {
                b.write(tmp[j] | (j > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, b.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            write(b, p);
        }
        return tlv(0x30, b.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int len = value.length;
        if (len < 0x80) {
            b.write(len);
        } else if (len < 0x100) {
            b.write(0x81);
            b.write(len);
        } else if (len < 0x10000) {
            b.write(0x82);
            b.write(len >> 8);
            b.write(len);
        } else {
            b.write(0x83);
            b.write(len >> 16);
            b.write(len >> 8);
            b.write(len);
        }
        write(b, value);
        return b.toByteArray();
    }

    private static void write(ByteArrayOutputStream b, byte[] bytes) {
        b.write(bytes, 0, bytes.length);
    }
}
