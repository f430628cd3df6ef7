package io.tendon.learner.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/** LibTorch archives as byte arrays, for checkpoint parts written atomically by the caller. */
public final class TorchArchives {

    private TorchArchives() {
    }

    /** The bytes of an archive that {@code writer} fills. */
    public static byte[] write(Consumer<OutputArchive> writer) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("tendon-archive-", ".pt");
            OutputArchive archive = new OutputArchive();
            try {
                writer.accept(archive);
                archive.save_to(tmp.toString());
            } finally {
                archive.close();
            }
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Lets {@code reader} read an archive from {@code bytes}. */
    public static void read(byte[] bytes, Consumer<InputArchive> reader) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("tendon-archive-", ".pt");
            Files.write(tmp, bytes);
            InputArchive archive = new InputArchive();
            try {
                archive.load_from(tmp.toString());
                reader.accept(archive);
            } finally {
                archive.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // A stray temporary file is harmless.
            }
        }
    }
}
