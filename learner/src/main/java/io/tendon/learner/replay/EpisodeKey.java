package io.tendon.learner.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * (robot id, episode id) as bytes {@code robot 0x00 episode} (ids are ASCII without NUL), so an
 * incoming record's ids can be looked up from its wire bytes without making Strings: a reused
 * probe key is refilled per record and only a new episode copies it.
 */
final class EpisodeKey {

    private byte[] bytes;
    private int length;
    private int hash;

    private EpisodeKey(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
        rehash();
    }

    static EpisodeKey probe() {
        return new EpisodeKey(new byte[2 * 128 + 1], 0);
    }

    static EpisodeKey of(String robotId, String episodeId) {
        byte[] r = robotId.getBytes(StandardCharsets.UTF_8);
        byte[] e = episodeId.getBytes(StandardCharsets.UTF_8);
        EpisodeKey k = new EpisodeKey(new byte[r.length + 1 + e.length], 0);
        k.set(r, r.length, e, e.length);
        return k;
    }

    /** Refills this (probe) key. */
    EpisodeKey set(byte[] robot, int robotLength, byte[] episode, int episodeLength) {
        int n = robotLength + 1 + episodeLength;
        if (bytes.length < n) {
            bytes = new byte[n];
        }
        System.arraycopy(robot, 0, bytes, 0, robotLength);
        bytes[robotLength] = 0;
        System.arraycopy(episode, 0, bytes, robotLength + 1, episodeLength);
        length = n;
        rehash();
        return this;
    }

    /** An immutable copy (for a probe that found nothing). */
    EpisodeKey copy() {
        return new EpisodeKey(Arrays.copyOf(bytes, length), length);
    }

    String robotId() {
        return new String(bytes, 0, separator(), StandardCharsets.UTF_8);
    }

    String episodeId() {
        int sep = separator();
        return new String(bytes, sep + 1, length - sep - 1, StandardCharsets.UTF_8);
    }

    private int separator() {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        throw new IllegalStateException("episode key without a separator");
    }

    private void rehash() {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        hash = h;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EpisodeKey other) || other.length != length || other.hash != hash) {
            return false;
        }
        return Arrays.equals(bytes, 0, length, other.bytes, 0, length);
    }
}
