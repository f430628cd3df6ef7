package io.tendon.edge.testing;

import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.tendon.schemas.access.BearerToken;
import io.tendon.schemas.v1.Pose;
import io.tendon.schemas.v1.Quaternion;
import io.tendon.schemas.v1.RobotBridgeGrpc;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import io.tendon.schemas.v1.Twist;
import io.tendon.schemas.v1.Vector3;
import io.tendon.schemas.v1.Wrench;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A robot driver in a process of its own (tests and the stream benchmark start it with the test
 * class path): it connects to {@code RobotBridge/Connect} (or the bridge's {@code BridgeEcho/Echo})
 * with a bearer token, retrying every 20 ms while another driver holds the bridge, then streams
 * RobotState at a fixed rate from its own thread, like a robot's real-time loop would, and measures
 * each state's round trip to the command that answers it.
 *
 * <p>Arguments: {@code host port token method rateHz seconds end}, where method is {@code connect}
 * or {@code echo}, seconds is how long to stream before ending by itself (0: until told), and end
 * is how it ends its stream: {@code halfclose} or {@code cancel}; {@code none} streams until the
 * process is killed or its connection dropped. It ends at once when a line {@code end} arrives on
 * standard input. Standard output, one line each: {@code REFUSED} (first time another driver was
 * connected), {@code ACCEPTED} (first command received), {@code ENDED}, then
 * {@code STATS sent=N answered=N p50_us=N p99_us=N}; {@code ERROR status} when the edge ended the
 * stream.
 */
public final class DriverProcess {

    static final MethodDescriptor<RobotState, RobotCommand> ECHO = MethodDescriptor.<RobotState, RobotCommand>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("tendon.v1.BridgeEcho/Echo")
            .setRequestMarshaller(ProtoUtils.marshaller(RobotState.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(RobotCommand.getDefaultInstance()))
            .build();

    private DriverProcess() {
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static RobotState state(long seq, long nanos) {
        return RobotState.newBuilder().setSequence(seq).setMonotonicNanos(nanos)
                .setTcpPose(Pose.newBuilder().setPosition(Vector3.newBuilder().setX(0.5).setY(0).setZ(0.1))
                        .setOrientation(Quaternion.newBuilder().setW(0).setX(1).setY(0).setZ(0)))
                .setTcpTwist(Twist.newBuilder().setLinear(Vector3.getDefaultInstance()).setAngular(Vector3.getDefaultInstance()))
                .setWrench(Wrench.newBuilder().setForce(Vector3.getDefaultInstance()).setTorque(Vector3.getDefaultInstance()))
                .setRobotId("process-driver")
                .build();
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String token = args[2];
        boolean echo = args[3].equals("echo");
        int rateHz = Integer.parseInt(args[4]);
        double seconds = Double.parseDouble(args[5]);
        String end = args[6];
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        int ring = 1 << 16;
        long[] sentAt = new long[ring];
        long[] rtt = new long[(int) Math.max(1, Math.min(20_000_000, (seconds > 0 ? seconds : 600) * rateHz + 10))];
        AtomicLong answered = new AtomicLong();
        CompletableFuture<Object> accepted = new CompletableFuture<>();
        CompletableFuture<Object> finished = new CompletableFuture<>();
        boolean refusedSaid = false;
        ClientCallStreamObserver<RobotState> out = null;
        while (out == null) {
            CompletableFuture<Object> first = new CompletableFuture<>();
            StreamObserver<RobotCommand> in = new StreamObserver<>() {
                @Override
                public void onNext(RobotCommand c) {
                    long now = System.nanoTime();
                    long seq = c.getStateSequence();
                    long n = answered.getAndIncrement();
                    if (seq > 0 && n < rtt.length) {
                        rtt[(int) n] = now - sentAt[(int) (seq & (ring - 1))];
                    }
                    first.complete(c);
                }

                @Override
                public void onError(Throwable t) {
                    first.complete(t);
                    if (first.getNow(null) instanceof RobotCommand) {
                        finished.complete(t); // the accepted stream ended (not a refused attempt)
                    }
                }

                @Override
                public void onCompleted() {
                    if (first.getNow(null) instanceof RobotCommand) {
                        finished.complete("completed");
                    }
                }
            };
            ClientCallStreamObserver<RobotState> stream;
            if (echo) {
                ClientCall<RobotState, RobotCommand> call = channel.newCall(ECHO,
                        io.grpc.CallOptions.DEFAULT.withCallCredentials(new BearerToken(token)));
                stream = (ClientCallStreamObserver<RobotState>) ClientCalls.asyncBidiStreamingCall(call, in);
            } else {
                stream = (ClientCallStreamObserver<RobotState>) RobotBridgeGrpc.newStub(channel)
                        .withCallCredentials(new BearerToken(token)).connect(in);
            }
            sentAt[1] = System.nanoTime();
            stream.onNext(state(1, sentAt[1]));
            Object r = first.get(30, TimeUnit.SECONDS);
            if (r instanceof RobotCommand) {
                out = stream;
                accepted.complete(r);
            } else if (Status.fromThrowable((Throwable) r).getCode() == Status.Code.FAILED_PRECONDITION) {
                if (!refusedSaid) {
                    say("REFUSED");
                    refusedSaid = true;
                }
                answered.set(0);
                Thread.sleep(20);
            } else {
                say("ERROR " + Status.fromThrowable((Throwable) r));
                System.exit(2);
            }
        }
        say("ACCEPTED");
        ClientCallStreamObserver<RobotState> stream = out;
        Thread stdin = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.trim().equals("end")) {
                        finished.complete("told");
                        return;
                    }
                }
            } catch (Exception e) {
                // stdin closed: keep streaming until the time is up
            }
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();

        long period = 1_000_000_000L / rateHz;
        long seq = 1;
        long next = System.nanoTime() + period;
        long stopAt = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
        while (!finished.isDone() && System.nanoTime() < stopAt) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            next += period;
            if (next < System.nanoTime() - 10 * period) {
                next = System.nanoTime() + period; // fell far behind (paused): do not burst
            }
            seq++;
            long now = System.nanoTime();
            sentAt[(int) (seq & (ring - 1))] = now;
            stream.onNext(state(seq, now));
        }
        Object why = finished.getNow(null);
        if (why instanceof Throwable t) {
            say("ERROR " + Status.fromThrowable(t));
        } else if (end.equals("cancel")) {
            stream.cancel("driver cancels its stream", null);
            say("ENDED");
        } else {
            stream.onCompleted();
            say("ENDED");
            try {
                finished.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the edge did not close its side in time: reported through STATS anyway
            }
        }
        int n = (int) Math.min(answered.get(), rtt.length);
        long[] sorted = Arrays.copyOf(rtt, n);
        // The first answers include connection set-up: leave out the first second.
        int skip = Math.min(n / 2, rateHz);
        long[] steady = Arrays.copyOfRange(sorted, skip, n);
        Arrays.sort(steady);
        long p50 = steady.length == 0 ? -1 : steady[steady.length / 2] / 1000;
        long p99 = steady.length == 0 ? -1 : steady[Math.min(steady.length - 1, (int) (steady.length * 0.99))] / 1000;
        long p90 = steady.length == 0 ? -1 : steady[Math.min(steady.length - 1, (int) (steady.length * 0.90))] / 1000;
        long p999 = steady.length == 0 ? -1 : steady[Math.min(steady.length - 1, (int) (steady.length * 0.999))] / 1000;
        say("STATS sent=" + seq + " answered=" + answered.get() + " p50_us=" + p50 + " p90_us=" + p90 + " p99_us=" + p99
                + " p999_us=" + p999);
        channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        System.exit(0);
    }
}
