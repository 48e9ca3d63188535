package dev.lathe.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;

/**
 * An ONNX model as a Lathe inference graph: initializers become constant values, nodes run in a
 * topological order on Lathe tensors, each through {@link Operators}. Loading checks the graph
 * (every input of every node defined, no cycle); running checks the feeds against the declared
 * inputs. Values no later node reads are dropped as the run goes.
 */
public final class OnnxModel {
    private final ModelProto proto;
    private final Map<String, Value> initializers = new LinkedHashMap<>();
    private final List<NodeProto> order;
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    /** Index of the last node reading each value, fixed at load: a run drops values after it. */
    private final Map<String, Integer> lastUse = new HashMap<>();
    private final int opset;
    /** The newest opset whose operator definitions Lathe follows (ONNX 1.12). */
    public static final int MAX_OPSET = 17;

    private OnnxModel(ModelProto proto, String source) {
        this.proto = proto;
        GraphProto g = proto.getGraph();
        int op = -1;
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) op = (int) o.getVersion();
            else if (!o.getDomain().equals("ai.onnx.ml")) throw new UnsupportedOperatorException(source + ": operator domain '" + o.getDomain() + "'");
        }
        if (op < 1) throw new IllegalArgumentException(source + ": no opset import for the default ONNX domain");
        if (op > MAX_OPSET) throw new IllegalArgumentException(source + ": opset " + op + " is newer than Lathe knows (1.." + MAX_OPSET + ")");
        this.opset = op;
        for (TensorProto t : g.getInitializerList()) initializers.put(t.getName(), TensorProtos.read(t, source + ": initializer '" + t.getName() + "'"));
        for (ValueInfoProto v : g.getInputList()) if (!initializers.containsKey(v.getName())) inputs.add(v);
        for (ValueInfoProto v : inputs) checkType(v, source);
        for (ValueInfoProto v : g.getOutputList()) checkType(v, source);
        this.order = topological(g, source);
        for (int i = 0; i < order.size(); i++) for (String in : order.get(i).getInputList()) lastUse.put(in, i);
    }

    public static OnnxModel load(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return new OnnxModel(ModelProto.parseFrom(bytes), file.toString());
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + ": not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        }
    }

    public static OnnxModel of(ModelProto proto) { return new OnnxModel(proto, proto.getGraph().getName()); }

    public int opset() { return opset; }

    public ModelProto proto() { return proto; }

    /** The graph inputs a caller feeds (initializers excluded). */
    public List<String> inputNames() { return inputs.stream().map(ValueInfoProto::getName).toList(); }

    public List<String> outputNames() { return proto.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList(); }

    public List<NodeProto> nodes() { return order; }

    public Map<String, Value> initializers() { return java.util.Collections.unmodifiableMap(initializers); }

    /** Runs the graph; returns every graph output by name. */
    public Map<String, Value> run(Map<String, Value> feeds) {
        for (ValueInfoProto v : inputs) {
            Value x = feeds.get(v.getName());
            if (x == null) throw new IllegalArgumentException("ONNX run: missing input '" + v.getName() + "' (inputs: " + inputNames() + ")");
            checkShape(v, x);
        }
        Map<String, Value> values = new HashMap<>(initializers);
        values.putAll(feeds);
        Set<String> keep = new HashSet<>(outputNames());
        for (int i = 0; i < order.size(); i++) {
            NodeProto n = order.get(i);
            Value[] in = new Value[n.getInputCount()];
            for (int k = 0; k < in.length; k++) in[k] = n.getInput(k).isEmpty() ? null : values.get(n.getInput(k));
            Value[] out;
            try {
                out = Operators.run(n, in, opset);
            } catch (UnsupportedOperatorException e) {
                throw new UnsupportedOperatorException(e.getMessage() + " (node '" + n.getName() + "')");
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("ONNX node '" + n.getName() + "' (" + n.getOpType() + "): " + e.getMessage(), e);
            }
            for (int k = 0; k < n.getOutputCount() && k < out.length; k++) if (!n.getOutput(k).isEmpty()) values.put(n.getOutput(k), out[k]);
            for (String name : n.getInputList()) if (lastUse.getOrDefault(name, -1) == i && !keep.contains(name) && !initializers.containsKey(name)) values.remove(name);
        }
        Map<String, Value> result = new LinkedHashMap<>();
        for (String o : outputNames()) {
            Value v = values.get(o);
            if (v == null) throw new IllegalStateException("ONNX run: output '" + o + "' was not produced");
            result.put(o, v);
        }
        return result;
    }

    /** Only tensors of numeric types Lathe holds can flow in or out (no sequences, maps, optionals, strings or halves). */
    private static void checkType(ValueInfoProto v, String source) {
        if (!v.hasType()) return;
        if (!v.getType().hasTensorType()) throw new UnsupportedOperatorException(source + ": value '" + v.getName() + "' is a " + v.getType().getValueCase() + ", not a tensor");
        int t = v.getType().getTensorType().getElemType();
        switch (TensorProto.DataType.forNumber(t)) {
            case FLOAT, DOUBLE, INT64, INT32, INT16, INT8, UINT8, UINT16, BOOL -> { }
            case null, default -> throw new UnsupportedOperatorException(source + ": value '" + v.getName() + "' has element type " + TensorProto.DataType.forNumber(t));
        }
    }

    private static void checkShape(ValueInfoProto v, Value x) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return;
        var dims = v.getType().getTensorType().getShape().getDimList();
        int[] s = x.shape();
        if (dims.size() != s.length) {
            throw new IllegalArgumentException("ONNX input '" + v.getName() + "': expected rank " + dims.size() + ", got shape " + java.util.Arrays.toString(s));
        }
        for (int i = 0; i < s.length; i++) {
            if (dims.get(i).hasDimValue() && dims.get(i).getDimValue() != s[i]) {
                throw new IllegalArgumentException("ONNX input '" + v.getName() + "': dimension " + i + " must be " + dims.get(i).getDimValue() + ", got shape " + java.util.Arrays.toString(s));
            }
        }
    }

    /** Kahn's order over the nodes; an undefined input or a cycle is an error naming the node. */
    private List<NodeProto> topological(GraphProto g, String source) {
        Set<String> defined = new HashSet<>(initializers.keySet());
        for (ValueInfoProto v : g.getInputList()) defined.add(v.getName());
        Map<String, List<Integer>> readers = new HashMap<>();
        int[] waiting = new int[g.getNodeCount()];
        Set<String> produced = new HashSet<>();
        for (NodeProto n : g.getNodeList()) produced.addAll(n.getOutputList());
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String in : g.getNode(i).getInputList()) {
                if (in.isEmpty() || defined.contains(in)) continue;
                if (!produced.contains(in)) throw new IllegalArgumentException(source + ": node '" + g.getNode(i).getName() + "' (" + g.getNode(i).getOpType() + ") reads '" + in + "', which nothing defines");
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                waiting[i]++;
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < waiting.length; i++) if (waiting[i] == 0) ready.add(i);
        List<NodeProto> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(g.getNode(i));
            for (String o : g.getNode(i).getOutputList()) {
                for (int r : readers.getOrDefault(o, List.of())) if (--waiting[r] == 0) ready.add(r);
            }
        }
        if (out.size() != g.getNodeCount()) throw new IllegalArgumentException(source + ": the graph has a cycle");
        return out;
    }
}
