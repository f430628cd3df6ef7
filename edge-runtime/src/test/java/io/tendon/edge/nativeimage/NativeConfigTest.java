package io.tendon.edge.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No native build can run here (no GraalVM), so the native-image configuration in
 * src-native-config is checked against the real class path instead.
 */
class NativeConfigTest {

    private static final Path CONFIG = Path.of("..", "src-native-config", "edge-runtime");

    private static JsonElement read(String file) throws IOException {
        return JsonParser.parseString(Files.readString(CONFIG.resolve(file)));
    }

    @Test
    void everyReflectedClassExistsAndHasAccessorsForProtobuf() throws Exception {
        JsonArray entries = read("reflect-config.json").getAsJsonArray();
        assertFalse(entries.isEmpty());
        for (JsonElement e : entries) {
            String name = e.getAsJsonObject().get("name").getAsString();
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (com.google.protobuf.Message.class.isAssignableFrom(type)) {
                // The field accessor table calls getDescriptor/newBuilder reflectively.
                Method newBuilder = type.getMethod("newBuilder");
                assertTrue(Modifier.isStatic(newBuilder.getModifiers()), name);
            }
        }
    }

    @Test
    void reflectedMessagesCoverTheBundleManifestTree() throws Exception {
        JsonArray entries = read("reflect-config.json").getAsJsonArray();
        java.util.Set<String> names = new java.util.HashSet<>();
        entries.forEach(e -> names.add(e.getAsJsonObject().get("name").getAsString()));
        // Every message type reachable from BundleManifest and PolicyUpdate, with its builder.
        java.util.ArrayDeque<com.google.protobuf.Descriptors.Descriptor> todo = new java.util.ArrayDeque<>();
        todo.add(io.tendon.schemas.v1.BundleManifest.getDescriptor());
        todo.add(io.tendon.schemas.v1.PolicyUpdate.getDescriptor());
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            var d = todo.poll();
            if (!seen.add(d.getFullName())) {
                continue;
            }
            String javaName = "io.tendon.schemas.v1." + d.getName();
            assertTrue(names.contains(javaName), javaName + " missing from reflect-config.json");
            assertTrue(names.contains(javaName + "$Builder"), javaName + "$Builder missing from reflect-config.json");
            for (var field : d.getFields()) {
                if (field.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
                    todo.add(field.getMessageType());
                }
            }
        }
    }

    @Test
    void resourcesExistOnTheClassPath() throws IOException {
        JsonObject config = read("resource-config.json").getAsJsonObject();
        for (JsonElement include : config.getAsJsonObject("resources").getAsJsonArray("includes")) {
            String pattern = include.getAsJsonObject().get("pattern").getAsString();
            String literal = Pattern.compile("\\\\Q(.*)\\\\E").matcher(pattern).replaceAll("$1");
            assertNotNull(getClass().getClassLoader().getResource(literal), pattern);
        }
    }

    @Test
    void javacppJarsCarryTheirOwnNativeImageConfigurationForThisPlatform() {
        for (String library : new String[] {"jnijavacpp", "jnionnxruntime"}) {
            String resource = "META-INF/native-image/linux-x86_64/" + library + "/jni-config.json";
            assertNotNull(getClass().getClassLoader().getResource(resource), resource);
        }
    }

    @Test
    void nativeProfilePointsAtThisDirectory() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("-H:ConfigurationFileDirectories=${project.basedir}/../src-native-config/edge-runtime"));
        assertTrue(pom.contains("--initialize-at-run-time=org.bytedeco"));
        assertEquals(true, Files.isDirectory(CONFIG));
    }
}
