#!/usr/bin/env python3
"""Writes the tiny ONNX cross-encoders the CrossEncoderReranker tests run.

No real cross-encoder weights can be had on the development machines, so the tests use graphs
with the signature of a Hugging Face cross-encoder exported to ONNX (input_ids, attention_mask and
token_type_ids, int64 [batch, sequence] -> logits [batch, 1]) whose score is known exactly:

    logit = (passage wordpieces that also occur in the query) / (passage wordpieces)

counting only content wordpieces: positions with attention_mask 1 and an id of at least 999. In
the BERT uncased vocabulary (the tokenizer.json the tests take from the bge-small-en-v1.5 jar)
every id below 999 is [PAD], [UNK], [CLS], [SEP], [MASK] or [unusedN]. The query is segment A,
the passage segment B: told apart by token_type_ids, or, in the variant without that input, by
the number of [SEP] (id 102) tokens before a position, as a RoBERTa-style model would have to.

Variants (each a directory holding model.onnx):
    overlap                 the standard signature, logits [batch, 1]
    overlap-two-class       logits [batch, 2] = (0, overlap): softmax of the positive class equals
                            the logistic of the single-logit variant
    overlap-no-token-types  only input_ids and attention_mask
    no-input-ids            inputs named ids/mask: a model the reranker must refuse
    three-logits            logits [batch, 3]: an output shape the reranker must refuse

Usage (needs only the onnx package; e.g. python3 -m venv /tmp/onnx-venv &&
/tmp/onnx-venv/bin/pip install onnx):

    python3 scripts/dev/make-test-cross-encoder.py core/src/test/resources/rerank/cross-encoder
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

# ONNX Runtime 1.20 (core's dependency) reads IR version 10 and opsets up to 21; 17 is plenty.
OPSET = 17
IR_VERSION = 8
FIRST_CONTENT_ID = 999
SEP_ID = 102


def const(name, value, dtype=TensorProto.INT64):
    values = value if isinstance(value, list) else [value]
    dims = [len(values)] if isinstance(value, list) else []
    return helper.make_node(
        "Constant", [], [name], value=helper.make_tensor(name + "_t", dtype, dims, values)
    )


def overlap_graph(ids="input_ids", mask="attention_mask", token_types=True, labels=1):
    n = []
    n.append(const("first_content", FIRST_CONTENT_ID))
    n.append(const("one", 1))
    n.append(const("zero", 0))
    n.append(const("axis1", [1]))
    n.append(const("axis2", [2]))
    n.append(const("onef", 1.0, TensorProto.FLOAT))
    # content[b, s]: an attended, non-special wordpiece.
    n.append(helper.make_node("Equal", [mask, "one"], ["attended"]))
    n.append(helper.make_node("Less", [ids, "first_content"], ["special"]))
    n.append(helper.make_node("Not", ["special"], ["not_special"]))
    n.append(helper.make_node("And", ["attended", "not_special"], ["content"]))
    # segment[b, s]: 0 for the query, 1 for the passage.
    if token_types:
        segment = "token_type_ids"
    else:
        n.append(const("sep", SEP_ID))
        n.append(const("axis1_scalar", 1))
        n.append(helper.make_node("Equal", [ids, "sep"], ["is_sep_b"]))
        n.append(helper.make_node("Cast", ["is_sep_b"], ["is_sep"], to=TensorProto.INT64))
        n.append(
            helper.make_node("CumSum", ["is_sep", "axis1_scalar"], ["segment"], exclusive=1)
        )
        segment = "segment"
    n.append(helper.make_node("Equal", [segment, "zero"], ["in_query"]))
    n.append(helper.make_node("Equal", [segment, "one"], ["in_passage"]))
    n.append(helper.make_node("And", ["content", "in_query"], ["query_token"]))
    n.append(helper.make_node("And", ["content", "in_passage"], ["passage_token"]))
    # same[b, j, i]: wordpiece j equals wordpiece i, and i is a query wordpiece.
    n.append(helper.make_node("Unsqueeze", [ids, "axis2"], ["ids_j"]))
    n.append(helper.make_node("Unsqueeze", [ids, "axis1"], ["ids_i"]))
    n.append(helper.make_node("Equal", ["ids_j", "ids_i"], ["same_id"]))
    n.append(helper.make_node("Unsqueeze", ["query_token", "axis1"], ["query_i"]))
    n.append(helper.make_node("And", ["same_id", "query_i"], ["same"]))
    n.append(helper.make_node("Cast", ["same"], ["same_f"], to=TensorProto.FLOAT))
    n.append(helper.make_node("ReduceMax", ["same_f"], ["in_query_f"], axes=[2], keepdims=0))
    n.append(helper.make_node("Cast", ["passage_token"], ["passage_f"], to=TensorProto.FLOAT))
    n.append(helper.make_node("Mul", ["in_query_f", "passage_f"], ["matched"]))
    n.append(helper.make_node("ReduceSum", ["matched", "axis1"], ["matches"], keepdims=1))
    n.append(helper.make_node("ReduceSum", ["passage_f", "axis1"], ["passage_len"], keepdims=1))
    n.append(helper.make_node("Max", ["passage_len", "onef"], ["denominator"]))
    if labels == 1:
        n.append(helper.make_node("Div", ["matches", "denominator"], ["logits"]))
    else:
        n.append(helper.make_node("Div", ["matches", "denominator"], ["overlap"]))
        n.append(const("zerof", 0.0, TensorProto.FLOAT))
        n.append(helper.make_node("Mul", ["overlap", "zerof"], ["zeros"]))
        columns = ["zeros"] * (labels - 1) + ["overlap"]
        n.append(helper.make_node("Concat", columns, ["logits"], axis=1))

    def int_input(name):
        return helper.make_tensor_value_info(
            name, TensorProto.INT64, ["batch_size", "sequence_length"]
        )

    inputs = [int_input(ids), int_input(mask)]
    if token_types:
        inputs.append(int_input("token_type_ids"))
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", labels])
    graph = helper.make_graph(n, "wordpiece-overlap", inputs, [output])
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="engram make-test-cross-encoder.py",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


VARIANTS = {
    "overlap": lambda: overlap_graph(),
    "overlap-two-class": lambda: overlap_graph(labels=2),
    "overlap-no-token-types": lambda: overlap_graph(token_types=False),
    "no-input-ids": lambda: overlap_graph(ids="ids", mask="mask", token_types=False),
    "three-logits": lambda: overlap_graph(labels=3),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for name, build in VARIANTS.items():
        directory = os.path.join(out, name)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "model.onnx")
        onnx.save(build(), path)
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
