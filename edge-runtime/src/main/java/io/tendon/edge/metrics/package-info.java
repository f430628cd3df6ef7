/**
 * Operations meters of the edge that read what other threads wrote: latency histograms exported
 * with fixed Prometheus buckets at scrape time, episodes per policy version, and the Kafka
 * clients' own metrics. Nothing here runs on the control thread; it imports {@code control}
 * (the histograms it reads), {@code step} (policy steps) and Micrometer/Prometheus, and nothing
 * imports it but the wiring ({@code runtime}, {@code policy.service}, {@code kafka}).
 */
package io.tendon.edge.metrics;
