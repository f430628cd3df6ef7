package io.tendon.schemas.access;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which roles each gRPC method admits. A rule names a whole service ({@code tendon.v1.Teleop}) or
 * one method ({@code tendon.v1.PolicyVersionControl/List}); a method rule wins over its service's.
 * A method no rule names admits nobody: a service added without rules is closed, not open.
 */
public final class AccessRules {

    private final Map<String, Set<Role>> services = new HashMap<>();
    private final Map<String, Set<Role>> methods = new HashMap<>();

    /** Every method of {@code service} (its full name, {@code package.Service}) admits {@code roles}. */
    public AccessRules service(String service, Role first, Role... more) {
        services.put(service, EnumSet.of(first, more));
        return this;
    }

    /** The method {@code fullMethodName} ({@code package.Service/Method}) admits {@code roles}. */
    public AccessRules method(String fullMethodName, Role first, Role... more) {
        methods.put(fullMethodName, EnumSet.of(first, more));
        return this;
    }

    /** The server reflection services (v1 and v1alpha) admit {@code roles}. */
    public AccessRules reflection(Role first, Role... more) {
        service("grpc.reflection.v1.ServerReflection", first, more);
        return service("grpc.reflection.v1alpha.ServerReflection", first, more);
    }

    /** The roles {@code fullMethodName} admits; empty when no rule names it. */
    public Set<Role> allowed(String fullMethodName) {
        Set<Role> m = methods.get(fullMethodName);
        if (m != null) {
            return m;
        }
        int slash = fullMethodName.indexOf('/');
        Set<Role> s = services.get(slash < 0 ? fullMethodName : fullMethodName.substring(0, slash));
        return s != null ? s : Set.of();
    }

    /** Whether some rule names this method (directly or through its service). */
    public boolean covers(String fullMethodName) {
        return !allowed(fullMethodName).isEmpty();
    }
}
