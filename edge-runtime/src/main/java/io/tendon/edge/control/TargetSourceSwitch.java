package io.tendon.edge.control;

/**
 * A {@link TargetSource} whose delegate can be installed or replaced while the loop runs
 * (the policy runtime plugs its source in once its model is loaded). Until then it has
 * nothing to give, and the watchdog holds. One volatile read per tick.
 */
public final class TargetSourceSwitch implements TargetSource {

    private volatile TargetSource delegate;

    /** Any thread: from the next tick on, targets come from {@code source} (null: none). */
    public void use(TargetSource source) {
        delegate = source;
    }

    public TargetSource current() {
        return delegate;
    }

    @Override
    public boolean targetsAt(long nowNanos, Targets into) {
        TargetSource d = delegate;
        return d != null && d.targetsAt(nowNanos, into);
    }
}
