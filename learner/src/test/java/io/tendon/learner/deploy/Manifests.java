package io.tendon.learner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Rendered Kubernetes manifests as parsed YAML: {@code kubectl kustomize DIR} (kustomize itself,
 * not a re-implementation), then every document as maps and lists, with small helpers to walk them.
 */
final class Manifests {

    static final Path K8S = Path.of("..", "k8s");

    final String yaml;
    final List<Map<String, Object>> objects;

    private Manifests(String yaml, List<Map<String, Object>> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    /** Renders a kustomization under k8s/; aborts the test when kubectl is not installed. */
    static Manifests render(String dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve(dir).toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed here: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return parse(out);
    }

    @SuppressWarnings("unchecked")
    static Manifests parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc != null) {
                objects.add((Map<String, Object>) doc);
            }
        }
        return new Manifests(yaml, objects);
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(str(o, "metadata", "name"))).findFirst();
    }

    Map<String, Object> get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the rendering"));
    }

    /** The value at {@code path} (map keys, or list indexes as Integers), or null. */
    @SuppressWarnings("unchecked")
    static Object at(Object node, Object... path) {
        Object n = node;
        for (Object key : path) {
            if (n instanceof Map<?, ?> m) {
                n = m.get(key);
            } else if (n instanceof List<?> l && key instanceof Integer i) {
                n = i < l.size() ? l.get(i) : null;
            } else {
                return null;
            }
        }
        return n;
    }

    static String str(Object node, Object... path) {
        Object v = at(node, path);
        return v == null ? null : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, Object... path) {
        Object v = at(node, path);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, Object... path) {
        Object v = at(node, path);
        return v instanceof List ? (List<Object>) v : List.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object node, Object... path) {
        return list(node, path).stream().map(o -> (Map<String, Object>) o).toList();
    }

    /** Kubernetes quantities ("500m", "4Gi", "16", "1e3") as numbers (cores, bytes). */
    static double quantity(Object q) {
        String s = String.valueOf(q);
        String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"m", "0.001"}, {"k", "1000"}, {"M", "1e6"}, {"G", "1e9"}, {"T", "1e12"}};
        for (String[] suffix : suffixes) {
            if (s.endsWith(suffix[0])) {
                return Double.parseDouble(s.substring(0, s.length() - suffix[0].length())) * Double.parseDouble(suffix[1]);
            }
        }
        return Double.parseDouble(s);
    }
}
