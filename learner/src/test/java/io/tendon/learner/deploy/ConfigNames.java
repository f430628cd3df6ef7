package io.tendon.learner.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every property name a {@link ConfigMapping} interface declares ({@code tendon.publish.key-secret-dir}, ...),
 * walked by reflection the way SmallRye names them (method names in kebab case, {@link WithName},
 * nested groups), and the environment variable Quarkus reads for each (upper case, anything that is
 * not a letter or digit as '_').
 */
final class ConfigNames {

    private ConfigNames() {
    }

    static TreeSet<String> properties(Class<?> mapping) {
        TreeSet<String> names = new TreeSet<>();
        walk(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, names);
        return names;
    }

    static String env(String property) {
        return property.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    static TreeSet<String> envs(Class<?> mapping) {
        TreeSet<String> names = new TreeSet<>();
        properties(mapping).forEach(p -> names.add(env(p)));
        return names;
    }

    private static void walk(String prefix, Class<?> type, TreeSet<String> names) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || m.getDeclaringClass() == Object.class) {
                continue;
            }
            WithName withName = m.getAnnotation(WithName.class);
            String name = prefix + "." + (withName != null ? withName.value() : kebab(m.getName()));
            Class<?> group = group(m.getGenericReturnType());
            if (group != null) {
                walk(name, group, names);
            } else {
                names.add(name);
            }
        }
    }

    /** The nested group interface a method returns (directly or in an Optional), or null for a leaf. */
    private static Class<?> group(Type t) {
        if (t instanceof Class<?> c) {
            return c.isInterface() && c.getName().startsWith("io.tendon.") ? c : null;
        }
        if (t instanceof ParameterizedType p && p.getRawType() == Optional.class) {
            return group(p.getActualTypeArguments()[0]);
        }
        return null;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
