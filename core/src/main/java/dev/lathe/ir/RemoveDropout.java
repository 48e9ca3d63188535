package dev.lathe.ir;

/** Dropout is the identity at inference: its readers read its input. */
public final class RemoveDropout implements Pass {
    @Override public Program apply(Program p) {
        for (String name : p.nodes().stream().map(Node::name).toList()) {
            Node n = p.producer(name);  // as earlier removals left it
            if (n.op() instanceof Op.Dropout) p = p.without(n.name(), n.input());
        }
        return p;
    }
}
