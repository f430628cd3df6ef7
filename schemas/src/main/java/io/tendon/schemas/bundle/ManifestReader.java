package io.tendon.schemas.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.tendon.schemas.v1.BundleManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a policy bundle's {@code manifest.json} (the protobuf JSON mapping of
 * {@link BundleManifest}, manifest version 1) strictly, an unknown key or a malformed value
 * being an error, and checks it on its own terms ({@link CheckedManifest}). The edge and the
 * learner both read bundles through here.
 */
public final class ManifestReader {

    /** The manifest format version this code reads. */
    public static final int MANIFEST_VERSION = 1;
    public static final String MANIFEST_FILE = "manifest.json";

    private ManifestReader() {
    }

    /** Reads and checks {@code directory/manifest.json}. */
    public static CheckedManifest read(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ManifestException("policy bundle " + dir + " is not a directory");
        }
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        String json;
        try {
            json = Files.readString(manifestFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ManifestException("policy bundle " + dir + ": cannot read " + MANIFEST_FILE + ": " + e, e);
        }
        return check(dir, parse(json, manifestFile.toString()));
    }

    /** Parses manifest JSON strictly: an unknown key or a malformed value is an error. */
    public static BundleManifest parse(String json, String source) {
        BundleManifest.Builder builder = BundleManifest.newBuilder();
        try {
            JsonFormat.parser().merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new ManifestException(source + " is not a valid version-" + MANIFEST_VERSION
                    + " bundle manifest: " + e.getMessage(), e);
        }
        return builder.build();
    }

    /** Checks a parsed manifest against the bundle directory; every problem found is reported at once. */
    public static CheckedManifest check(Path directory, BundleManifest m) {
        Path dir = directory.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        ManifestChecker.Derived d = new ManifestChecker.Derived();
        ManifestChecker.validate(dir, m, problems, d);
        if (!problems.isEmpty()) {
            throw new ManifestException("policy bundle " + dir + " (" + MANIFEST_FILE + "): "
                    + String.join("; ", problems));
        }
        return new CheckedManifest(dir, m, d);
    }

    /** The JSON of a manifest, as {@link #parse} reads it back. */
    public static String toJson(BundleManifest m) {
        try {
            return JsonFormat.printer().print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new ManifestException("cannot print manifest " + m.getPolicyId() + ": " + e.getMessage(), e);
        }
    }
}
