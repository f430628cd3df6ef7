package io.tendon.learner.policy;

import java.util.Locale;

/**
 * What a graph input carries, read from its name (case-insensitive) and width. A state row is
 * latent ⊕ proprio ⊕ wrench; a graph may take it whole or in parts, in any input order.
 *
 * <ul>
 *   <li>name contains "noise": standard normal noise (fresh each run);</li>
 *   <li>"latent" (or exactly "z"): the latent part;</li>
 *   <li>"proprio": the proprioception part;</li>
 *   <li>"wrench" or "force": the wrench part;</li>
 *   <li>"base", "action" or "chunk": an action chunk (a_base of a residual);</li>
 *   <li>"state" or "obs": the whole row, proprio ⊕ wrench, or proprio, whichever width matches.</li>
 * </ul>
 */
public enum InputRole {
    NOISE,
    LATENT,
    PROPRIO,
    WRENCH,
    PROPRIO_WRENCH,
    STATE,
    CHUNK;

    /** The role of input {@code name} of width {@code width}; a clear error when none fits. */
    public static InputRole of(String name, long width, StateLayout layout, int chunkSize) {
        String n = name.toLowerCase(Locale.ROOT);
        InputRole role;
        if (n.contains("noise")) {
            role = NOISE;
        } else if (n.contains("latent") || n.equals("z")) {
            role = LATENT;
        } else if (n.contains("proprio")) {
            role = PROPRIO;
        } else if (n.contains("wrench") || n.contains("force")) {
            role = WRENCH;
        } else if (n.contains("base") || n.contains("action") || n.contains("chunk")) {
            role = CHUNK;
        } else if (n.contains("state") || n.contains("obs")) {
            if (width == layout.stateDim()) {
                role = STATE;
            } else if (width == layout.proprioDim() + layout.wrenchDim()) {
                role = PROPRIO_WRENCH;
            } else if (width == layout.proprioDim()) {
                role = PROPRIO;
            } else {
                throw new IllegalArgumentException("input '" + name + "' has width " + width + ", which is neither the state ("
                        + layout.stateDim() + "), proprio+wrench (" + (layout.proprioDim() + layout.wrenchDim())
                        + ") nor proprio (" + layout.proprioDim() + ")");
            }
        } else {
            throw new IllegalArgumentException("cannot tell what input '" + name
                    + "' carries: name it latent, proprio, wrench, state, noise or a_base");
        }
        long expected = role.width(layout, chunkSize);
        if (expected >= 0 && expected != width) {
            throw new IllegalArgumentException("input '" + name + "' (" + role + ") has width " + width + ", expected "
                    + expected);
        }
        return role;
    }

    /** Width this role must have, -1 when any width is accepted (noise). */
    public long width(StateLayout layout, int chunkSize) {
        return switch (this) {
            case NOISE -> -1;
            case LATENT -> layout.latentDim();
            case PROPRIO -> layout.proprioDim();
            case WRENCH -> layout.wrenchDim();
            case PROPRIO_WRENCH -> layout.proprioDim() + layout.wrenchDim();
            case STATE -> layout.stateDim();
            case CHUNK -> chunkSize;
        };
    }

    /** First state column of this role's slice (for state roles). */
    public int stateOffset(StateLayout layout) {
        return switch (this) {
            case LATENT, STATE -> 0;
            case PROPRIO, PROPRIO_WRENCH -> layout.latentDim();
            case WRENCH -> layout.latentDim() + layout.proprioDim();
            default -> throw new IllegalStateException(this + " is not part of the state");
        };
    }

    public boolean isStatePart() {
        return this != NOISE && this != CHUNK;
    }
}
