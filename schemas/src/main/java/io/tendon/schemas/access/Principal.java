package io.tendon.schemas.access;

/**
 * An authenticated caller: the credential's configured name (token name, or certificate CN), its
 * role, and how it proved itself ({@code token}, {@code certificate}, or {@code open} when checks are off).
 */
public record Principal(String name, Role role, String via) {

    @Override
    public String toString() {
        return name + " (" + role.configName() + ", " + via + ")";
    }
}
