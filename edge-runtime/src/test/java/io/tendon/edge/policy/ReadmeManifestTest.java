package io.tendon.edge.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example manifest in the README is a valid version-1 manifest, so the documentation cannot drift. */
class ReadmeManifestTest {

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleManifestPassesValidation() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("Example (a chunk policy");
        assertTrue(section > 0, "the README has the example");
        int start = readme.indexOf("```json", section) + "```json".length();
        int end = readme.indexOf("```", start);
        BundleManifest m = PolicyBundle.parse(readme.substring(start, end), "README example");
        for (var g : m.getGraphsList()) {
            Files.writeString(dir.resolve(g.getFile()), "graph bytes are checked when sessions are made");
        }
        PolicyBundle bundle = PolicyBundle.check(dir, m);
        assertEquals("peg-insert", bundle.policyId());
        assertTrue(bundle.has(GraphRole.ENCODER) && bundle.has(GraphRole.HEAD) && bundle.has(GraphRole.RESIDUAL));
        assertEquals(32, bundle.featureDim);
        assertEquals(64, bundle.latentDim);
        assertEquals(12, bundle.stateDim);
    }
}
