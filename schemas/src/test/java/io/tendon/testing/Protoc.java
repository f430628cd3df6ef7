package io.tendon.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code protoc --decode} against the project's own .proto files, so wire bytes written by
 * Java are checked by a decoder this project did not write. The build copies protoc from Maven
 * Central ({@code com.google.protobuf:protoc}, the version of the BOM's protobuf-java) and passes
 * its path as {@code protoc.path}; without it, a {@code protoc} on the PATH is used.
 */
public final class Protoc {

    private Protoc() {
    }

    /** Directory holding tendon/v1/*.proto, from the wire.proto.dir system property. */
    public static Path protoDirectory() {
        String dir = System.getProperty("wire.proto.dir");
        if (dir == null) {
            throw new IllegalStateException("system property wire.proto.dir is not set (surefire sets it)");
        }
        return Path.of(dir);
    }

    /**
     * Decodes {@code bytes} as {@code messageType} (for example "tendon.v1.Transition") and
     * returns protoc's text format.
     */
    public static String decode(String messageType, String protoFile, byte[] bytes) {
        return new String(run("--decode=" + messageType, protoFile, bytes), StandardCharsets.UTF_8);
    }

    /** Encodes protoc text format as {@code messageType} and returns the wire bytes. */
    public static byte[] encode(String messageType, String protoFile, String text) {
        return run("--encode=" + messageType, protoFile, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The protoc to run: {@code protoc.path} (made executable: Maven copies it without the flag), else the PATH's. */
    static String executable() {
        String path = System.getProperty("protoc.path");
        if (path == null || path.isEmpty()) {
            return "protoc";
        }
        java.io.File file = new java.io.File(path);
        if (file.isFile() && !file.canExecute() && !file.setExecutable(true)) {
            throw new IllegalStateException("cannot make " + path + " executable");
        }
        return path;
    }

    private static byte[] run(String mode, String protoFile, byte[] input) {
        List<String> command = List.of(executable(), mode, "--proto_path=" + protoDirectory(), protoFile);
        try {
            Process process = new ProcessBuilder(command).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(input);
            }
            byte[] out = readAll(process.getInputStream());
            String err = new String(readAll(process.getErrorStream()), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("protoc did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("protoc " + mode + " failed (exit " + process.exitValue() + "): " + err);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "could not run " + executable() + " (the build copies protoc from Maven Central; see protoc.path)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream stream) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        stream.transferTo(buffer);
        return buffer.toByteArray();
    }

    /** True when protoc can be run here. */
    public static boolean available() {
        try {
            return new ProcessBuilder(executable(), "--version").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
