package io.tendon.edge.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Puts the robot id, the running episode and the policy version into the MDC of every log record
 * of the edge ({@code quarkus.log.console.filter=tendon-log-context}), so the console pattern
 * ({@code %X{robot_id}}) and JSON logging ({@code "mdc": {...}}) carry them whichever thread logged.
 * Lets every record through.
 */
@LoggingFilter(name = LogContextFilter.NAME)
public final class LogContextFilter implements Filter {

    public static final String NAME = "tendon-log-context";
    public static final String ROBOT_ID = "robot_id";
    public static final String EPISODE_ID = "episode_id";
    public static final String POLICY_VERSION = "policy_version";

    private final String robotId;

    public LogContextFilter(@ConfigProperty(name = "tendon.edge.robot-id", defaultValue = "robot-0") String robotId) {
        this.robotId = robotId;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord r) {
            r.putMdc(ROBOT_ID, robotId);
            String episode = LogContext.episodeId();
            if (!episode.isEmpty()) {
                r.putMdc(EPISODE_ID, episode);
            }
            String version = LogContext.policyVersion();
            if (!version.isEmpty()) {
                r.putMdc(POLICY_VERSION, version);
            }
        }
        return true;
    }
}
