package io.tendon.learner.config;

import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** tendon.demo.*: demonstration files loaded into the DEMO table at start-up (README: demo file format). */
public interface DemoConfig {

    /** Files of length-delimited Transition protobufs (Transition.writeDelimitedTo); none by default. */
    @WithName("files")
    Optional<List<Path>> files();
}
