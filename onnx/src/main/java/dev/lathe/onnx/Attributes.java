package dev.lathe.onnx;

import java.util.List;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

/** Typed reads of a node's attributes with the spec's defaults. */
class Attributes {
    private final NodeProto node;

    Attributes(NodeProto node) { this.node = node; }

    private AttributeProto find(String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    boolean has(String name) { return find(name) != null; }

    long integer(String name, long otherwise) {
        AttributeProto a = find(name);
        return a == null ? otherwise : a.getI();
    }

    double real(String name, double otherwise) {
        AttributeProto a = find(name);
        return a == null ? otherwise : a.getF();
    }

    String string(String name, String otherwise) {
        AttributeProto a = find(name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    long[] ints(String name, long[] otherwise) {
        AttributeProto a = find(name);
        if (a == null) return otherwise;
        List<Long> l = a.getIntsList();
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = l.get(i);
        return out;
    }

    float[] floats(String name) {
        AttributeProto a = find(name);
        if (a == null) return null;
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) out[i] = a.getFloats(i);
        return out;
    }

    AttributeProto raw(String name) { return find(name); }
}
