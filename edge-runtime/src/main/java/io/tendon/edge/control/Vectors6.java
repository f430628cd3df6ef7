package io.tendon.edge.control;

import org.ejml.data.DMatrix6;

/** Index access and array copies for EJML's fixed 6-vector, without bounds exceptions or allocation. */
public final class Vectors6 {

    private Vectors6() {
    }

    public static double get(DMatrix6 v, int i) {
        switch (i) {
            case 0: return v.a1;
            case 1: return v.a2;
            case 2: return v.a3;
            case 3: return v.a4;
            case 4: return v.a5;
            default: return v.a6;
        }
    }

    public static void set(DMatrix6 v, int i, double value) {
        switch (i) {
            case 0: v.a1 = value; break;
            case 1: v.a2 = value; break;
            case 2: v.a3 = value; break;
            case 3: v.a4 = value; break;
            case 4: v.a5 = value; break;
            default: v.a6 = value; break;
        }
    }

    /** v = values[0..6). */
    public static void fromArray(double[] values, DMatrix6 v) {
        v.a1 = values[0];
        v.a2 = values[1];
        v.a3 = values[2];
        v.a4 = values[3];
        v.a5 = values[4];
        v.a6 = values[5];
    }

    /** out[0..6) = v. */
    public static void toArray(DMatrix6 v, double[] out) {
        out[0] = v.a1;
        out[1] = v.a2;
        out[2] = v.a3;
        out[3] = v.a4;
        out[4] = v.a5;
        out[5] = v.a6;
    }
}
