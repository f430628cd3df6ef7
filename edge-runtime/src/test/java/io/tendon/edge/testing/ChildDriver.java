package io.tendon.edge.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DriverProcess} started as a separate JVM on this test's class path; its output lines
 * arrive in a queue. {@link #kill()} is {@code kill -9} ({@link Process#destroyForcibly()}).
 */
public final class ChildDriver implements AutoCloseable {

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    public ChildDriver(int port, String token, String method, int rateHz, double seconds, String end) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DriverProcess.class.getName(),
                "127.0.0.1", Integer.toString(port), token, method, Integer.toString(rateHz), Double.toString(seconds), end);
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (all) {
                        all.add(line);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // process gone
            }
            lines.add("EOF");
        }, "driver-process-out");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for a line starting with {@code prefix} (skipping others); fails on EOF or timeout. */
    public String await(String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no '" + prefix + "' from the driver process within " + timeoutMs + " ms; saw "
                        + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.equals("EOF")) {
                throw new AssertionError("driver process ended before '" + prefix + "'; saw " + output());
            }
        }
    }

    public List<String> output() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** Tells the driver to end its stream its own way (half-close or cancel). */
    public void end() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("end\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** kill -9. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public Process process() {
        return process;
    }

    /** A value from the STATS line, for example {@code stat(line, "p99_us")}. */
    public static long stat(String statsLine, String key) {
        for (String part : statsLine.split(" ")) {
            if (part.startsWith(key + "=")) {
                return Long.parseLong(part.substring(key.length() + 1));
            }
        }
        throw new IllegalArgumentException(key + " not in " + statsLine);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
