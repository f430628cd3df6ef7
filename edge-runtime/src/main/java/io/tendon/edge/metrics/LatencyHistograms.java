package io.tendon.edge.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.tendon.edge.control.LatencyHistogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Exports {@link LatencyHistogram}s as Prometheus histograms (buckets, sum, count) in seconds, so
 * latencies can be summed across robots and over any window ({@code histogram_quantile} over
 * {@code rate(..._bucket[5m])}). The writer (the control or the policy thread) only bumps the
 * histogram's own log-linear buckets, without allocating or locking; this collector folds them
 * into the fixed edges {@link #EDGES_SECONDS} when Prometheus scrapes, on the scraping thread.
 *
 * <p>Micrometer's own timers cannot be fed that way (their histograms are written on
 * {@code record}), so the collector is registered in the Prometheus registry underneath
 * Micrometer's, whose scrape includes it.
 */
public final class LatencyHistograms extends Collector {

    /** Bucket edges in seconds: 1 us to 1 s in 1-2.5-5 steps (plus +Inf). */
    public static final double[] EDGES_SECONDS = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
            2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0};
    private static final long[] EDGES_NANOS = new long[EDGES_SECONDS.length];
    private static final List<String> LE = new ArrayList<>(EDGES_SECONDS.length + 1);

    static {
        for (int i = 0; i < EDGES_SECONDS.length; i++) {
            EDGES_NANOS[i] = Math.round(EDGES_SECONDS[i] * 1e9);
            LE.add(doubleToGoString(EDGES_SECONDS[i]));
        }
        LE.add("+Inf");
    }

    private record Series(List<String> labelValues, Supplier<LatencyHistogram> histogram) {
    }

    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final List<Series> series = new ArrayList<>();
    private final List<Supplier<Map<String, LatencyHistogram>>> families = new ArrayList<>();

    /**
     * @param name base name without unit, Prometheus style ({@code tendon_edge_control_tick_compute});
     *     the exported family is {@code name_seconds}
     */
    public LatencyHistograms(String name, String help, String... labelNames) {
        this.name = name + "_seconds";
        this.help = help;
        this.labelNames = List.of(labelNames);
    }

    /** Adds the series with these label values, read from {@code histogram} at every scrape. */
    public synchronized LatencyHistograms add(Supplier<LatencyHistogram> histogram, String... labelValues) {
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + " has labels " + labelNames);
        }
        series.add(new Series(List.of(labelValues), histogram));
        return this;
    }

    public synchronized LatencyHistograms add(LatencyHistogram histogram, String... labelValues) {
        return add(() -> histogram, labelValues);
    }

    /**
     * Adds one series per entry of the map {@code byLabel} returns at each scrape (the value of the
     * single label, say a graph name, to its histogram): series that appear later are exported too.
     */
    public synchronized LatencyHistograms addEach(Supplier<Map<String, LatencyHistogram>> byLabel) {
        if (labelNames.size() != 1) {
            throw new IllegalArgumentException(name + " needs exactly one label for addEach, has " + labelNames);
        }
        families.add(byLabel);
        return this;
    }

    @Override
    public synchronized List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        long[] cumulative = new long[EDGES_NANOS.length];
        List<String> bucketLabels = new ArrayList<>(labelNames);
        bucketLabels.add("le");
        List<Series> all = new ArrayList<>(series);
        for (Supplier<Map<String, LatencyHistogram>> family : families) {
            new TreeMap<>(family.get()).forEach((label, h) -> all.add(new Series(List.of(label), () -> h)));
        }
        for (Series s : all) {
            LatencyHistogram h = s.histogram().get();
            if (h == null) {
                continue;
            }
            long total = h.cumulativeCounts(EDGES_NANOS, cumulative);
            for (int k = 0; k <= EDGES_NANOS.length; k++) {
                List<String> values = new ArrayList<>(s.labelValues());
                values.add(LE.get(k));
                samples.add(new MetricFamilySamples.Sample(name + "_bucket", bucketLabels, values,
                        k < EDGES_NANOS.length ? cumulative[k] : total));
            }
            samples.add(new MetricFamilySamples.Sample(name + "_count", labelNames, s.labelValues(), total));
            samples.add(new MetricFamilySamples.Sample(name + "_sum", labelNames, s.labelValues(), h.sum() / 1e9));
        }
        return List.of(new MetricFamilySamples(name, Type.HISTOGRAM, help, samples));
    }

    /** Registers with the Prometheus registry behind {@code registry}; false when there is none (no Prometheus export). */
    public boolean registerWith(MeterRegistry registry) {
        Optional<CollectorRegistry> prometheus = prometheus(registry);
        prometheus.ifPresent(this::register);
        return prometheus.isPresent();
    }

    /**
     * The Prometheus registry Micrometer scrapes from: {@code registry} itself, a member of a
     * composite, or, in a Quarkus application, its Prometheus registry bean (Quarkus creates it on
     * first use and only then adds it to the composite it injects, which is still empty at start-up).
     */
    static Optional<CollectorRegistry> prometheus(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return Optional.of(p.getPrometheusRegistry());
        }
        if (registry instanceof CompositeMeterRegistry c) {
            for (MeterRegistry member : c.getRegistries()) {
                Optional<CollectorRegistry> found = prometheus(member);
                if (found.isPresent()) {
                    return found;
                }
            }
            ArcContainer container = Arc.container();
            if (container != null && container.isRunning()) {
                InstanceHandle<PrometheusMeterRegistry> bean = container.instance(PrometheusMeterRegistry.class);
                if (bean.isAvailable()) {
                    return Optional.of(bean.get().getPrometheusRegistry());
                }
            }
        }
        return Optional.empty();
    }
}
