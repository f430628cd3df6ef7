package io.tendon.edge.control;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real-time path imports no framework: the control, step and simulator packages may use the
 * JDK and EJML only. Scans their sources for forbidden imports and for logging or printing.
 */
class FrameworkFreeTest {

    private static final String[] FORBIDDEN_IMPORTS = {"jakarta.", "javax.", "io.quarkus.", "io.micrometer.",
            "org.jboss.", "org.apache.kafka.", "io.grpc.", "io.smallrye.", "io.vertx.", "org.eclipse.microprofile.",
            "com.google.protobuf.", "io.tendon.schemas.", "org.slf4j.", "java.util.logging.", "java.io.",
            "java.nio.file.", "java.net.", "io.tendon.edge.runtime.", "io.tendon.edge.bridge.", "io.tendon.edge.grpc.",
            "io.tendon.edge.kafka.", "io.tendon.edge.config."};
    private static final String[] FORBIDDEN_CALLS = {"System.out", "System.err", "printStackTrace", "Logger",
            "synchronized", "Thread.sleep", ".wait(", "ReentrantLock"};

    @Test
    void controlAndSimulatorImportNoFrameworkAndDoNoIo() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (String pkg : new String[] {"control", "step", "sim"}) {
            Path dir = Path.of("src/main/java/io/tendon/edge", pkg);
            assertTrue(Files.isDirectory(dir), dir.toAbsolutePath().toString());
            try (Stream<Path> sources = Files.list(dir)) {
                for (Path file : (Iterable<Path>) sources.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    files++;
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).trim();
                        if (line.startsWith("import ")) {
                            String name = line.substring(7).replace("static ", "").trim();
                            for (String bad : FORBIDDEN_IMPORTS) {
                                if (name.startsWith(bad)) {
                                    violations.add(file.getFileName() + ":" + (i + 1) + " " + line);
                                }
                            }
                        } else if (!line.startsWith("*") && !line.startsWith("/")) {
                            for (String bad : FORBIDDEN_CALLS) {
                                if (line.contains(bad)) {
                                    violations.add(file.getFileName() + ":" + (i + 1) + " " + line);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(files > 20, "scanned " + files + " files");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    @Test
    void theTickEntryPointSaysWhatItMustNotDo() throws IOException {
        String loop = Files.readString(Path.of("src/main/java/io/tendon/edge/control/ControlLoop.java"));
        int tick = loop.indexOf("public void tick(");
        String doc = loop.substring(loop.lastIndexOf("/**", tick), tick);
        assertTrue(doc.contains("must not allocate, lock, block, log or do I/O"), doc);
    }
}
