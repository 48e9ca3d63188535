package dev.lathe.onnx;

import onnx.Onnx.NodeProto;

/**
 * One ONNX operator as the interpreter runs it, registered by op type in {@link Operators}. It gets the node (its op
 * type where one implementation serves several, its output count, its name), the inputs in the node's order (null
 * where an optional one is left out), the node's attributes read with the spec's defaults, and the model's opset
 * (ops whose inputs or defaults changed between versions read it); it returns the outputs in the node's order.
 * What it cannot do (an attribute, a mode, an element type) it reports with {@link UnsupportedOperatorException}.
 */
@FunctionalInterface
interface OnnxOp {
    Value[] run(NodeProto node, Value[] in, Attributes at, int opset);
}
