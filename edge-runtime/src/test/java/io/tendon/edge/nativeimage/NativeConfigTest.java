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
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * No native build can run here (no GraalVM or Mandrel), so the native-image configuration is checked
 * against the real class path instead: it lies where native-image picks it up by itself
 * (META-INF/native-image/{group}/{artifact}/ of the edge runtime's jar), every class and resource it
 * names exists, the JavaCPP jars of the build's platform carry their own configuration and natives
 * for that platform, and the linux-arm64 profile switches every classifier the edge runtime uses.
 *
 * <p>Run under {@code -Plinux-arm64} (.ci/run does) the same test checks the arm64 class path: the
 * jars carry linux-arm64 configuration and AArch64 libraries.
 */
class NativeConfigTest {

    /** Where native-image looks on the class path: META-INF/native-image/{groupId}/{artifactId}/. */
    static final String CONFIG = "META-INF/native-image/io.tendon/tendon-edge-runtime/";

    /** ELF e_machine of each JavaCPP platform the build knows. */
    private static final Map<String, Integer> ELF_MACHINE = Map.of("linux-x86_64", 62, "linux-arm64", 183);

    /** The JNI libraries of the JavaCPP jars the edge runtime depends on, by the jar's package. */
    private static final Map<String, String> JNI_LIBRARIES = Map.of(
            "org/bytedeco/javacpp", "jnijavacpp",
            "org/bytedeco/onnxruntime", "jnionnxruntime",
            "org/bytedeco/dnnl", "jnidnnl",
            "org/bytedeco/opencl", "jniOpenCL");

    private static String platform() {
        return System.getProperty("tendon.javacpp.platform", "linux-x86_64");
    }

    private JsonElement read(String file) throws IOException {
        // From the compiled resources (target/classes), exactly what goes into the jar.
        URL url = getClass().getClassLoader().getResource(CONFIG + file);
        assertNotNull(url, CONFIG + file + " is not on the class path");
        assertTrue(url.toString().contains("/edge-runtime/target/classes/"), url.toString());
        try (InputStream in = url.openStream()) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void nativeImagePropertiesInitialiseJavaCppAtRunTime() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(CONFIG + "native-image.properties")) {
            assertNotNull(in, CONFIG + "native-image.properties");
            properties.load(in);
        }
        List<String> args = List.of(properties.getProperty("Args", "").trim().split("\\s+"));
        // JavaCPP loads its libraries in static initialisers: at build time they would load into the builder.
        assertTrue(args.contains("--initialize-at-run-time=org.bytedeco"), args.toString());
        // Nothing that would point native-image elsewhere: the configuration is the files beside this one.
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-H:ConfigurationFileDirectories")), args.toString());
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
    void javacppJarsCarryTheirNativeImageConfigurationAndLibrariesForThisPlatform() throws IOException {
        String platform = platform();
        Integer machine = ELF_MACHINE.get(platform);
        assertNotNull(machine, "unknown platform " + platform);
        for (Map.Entry<String, String> library : JNI_LIBRARIES.entrySet()) {
            String config = "META-INF/native-image/" + platform + "/" + library.getValue() + "/jni-config.json";
            assertNotNull(getClass().getClassLoader().getResource(config), config);
            String so = library.getKey() + "/" + platform + "/lib" + library.getValue() + ".so";
            URL url = getClass().getClassLoader().getResource(so);
            assertNotNull(url, so);
            try (InputStream in = url.openStream()) {
                byte[] header = in.readNBytes(20);
                assertEquals(0x7f, header[0] & 0xff, so + " is not an ELF file");
                assertTrue(header[1] == 'E' && header[2] == 'L' && header[3] == 'F', so + " is not an ELF file");
                int eMachine = (header[18] & 0xff) | (header[19] & 0xff) << 8;
                assertEquals(machine.intValue(), eMachine, so + ": ELF machine " + eMachine + ", not " + platform);
            }
        }
    }

    @Test
    void arm64ProfileSwitchesEveryNativeClassifierOfTheEdgeRuntime() throws Exception {
        Element parent = parse(Path.of("..", "pom.xml"));
        Map<String, String> defaults = properties(child(parent, "properties"));
        Element arm64 = null;
        for (Element profile : children(child(parent, "profiles"), "profile")) {
            if ("linux-arm64".equals(text(profile, "id"))) {
                arm64 = profile;
            }
        }
        assertNotNull(arm64, "no linux-arm64 profile in pom.xml");
        Map<String, String> arm64Properties = properties(child(arm64, "properties"));
        assertEquals("linux-arm64", arm64Properties.get("javacpp.platform"));
        assertEquals("linux-aarch_64", arm64Properties.get("protoc.classifier"));
        // Every classifier of an org.bytedeco dependency of the edge runtime resolves to a linux-arm64 jar
        // under the profile (and to linux-x86_64 without it).
        Element edge = parse(Path.of("pom.xml"));
        int classified = 0;
        for (Element dependency : children(child(edge, "dependencies"), "dependency")) {
            String classifier = text(dependency, "classifier");
            if (!"org.bytedeco".equals(text(dependency, "groupId")) || classifier == null) {
                continue;
            }
            classified++;
            Matcher property = Pattern.compile("\\$\\{([^}]+)}").matcher(classifier);
            assertTrue(property.matches(), text(dependency, "artifactId") + ": classifier " + classifier + " is fixed");
            String name = property.group(1);
            assertEquals("linux-arm64", arm64Properties.getOrDefault(name, defaults.get(name)),
                    text(dependency, "artifactId") + " under -Plinux-arm64");
            assertEquals("linux-x86_64", defaults.get(name), text(dependency, "artifactId") + " by default");
        }
        assertEquals(JNI_LIBRARIES.size(), classified, "javacpp, onnxruntime, dnnl and opencl natives");
    }

    @Test
    void noProfileOrReadmePointsNativeImageAnywhereElse() throws IOException {
        for (Path pom : List.of(Path.of("pom.xml"), Path.of("..", "pom.xml"))) {
            String text = Files.readString(pom);
            assertFalse(text.contains("ConfigurationFileDirectories"), pom.toString());
            assertFalse(text.contains("src-native-config/edge-runtime"), pom.toString());
        }
        // The top-level directory stays, saying where the configuration went.
        String pointer = Files.readString(Path.of("..", "src-native-config", "README.md"));
        assertTrue(pointer.contains("edge-runtime/src/main/resources/" + CONFIG), pointer);
        assertFalse(Files.exists(Path.of("..", "src-native-config", "edge-runtime")));
    }

    private static Element parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        return document.getDocumentElement();
    }

    private static Element child(Element element, String name) {
        List<Element> found = children(element, name);
        assertEquals(1, found.size(), name + " in " + element.getTagName());
        return found.get(0);
    }

    private static List<Element> children(Element element, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = element.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element element, String name) {
        List<Element> found = children(element, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }

    private static Map<String, String> properties(Element properties) {
        Map<String, String> values = new HashMap<>();
        NodeList nodes = properties.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e) {
                values.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        return values;
    }
}
