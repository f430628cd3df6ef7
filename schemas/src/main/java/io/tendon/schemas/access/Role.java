package io.tendon.schemas.access;

import java.util.Locale;

/**
 * What a caller is allowed to do. A credential carries exactly one role; each gRPC method names
 * the roles it admits ({@link AccessRules}).
 */
public enum Role {
    /** The robot-side driver: the robot bridge stream. */
    DRIVER,
    /** A person in charge of the robot: teleop, episode markers and rewards, rollback and pin, session pre-emption. */
    OPERATOR,
    /** Read-only: status, diagnostics, policy version listing, server reflection. */
    OBSERVER;

    /** The role's name in configuration and logs: {@code driver}, {@code operator}, {@code observer}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration name; throws IllegalArgumentException naming the allowed ones. */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "' (driver, operator or observer)");
    }
}
