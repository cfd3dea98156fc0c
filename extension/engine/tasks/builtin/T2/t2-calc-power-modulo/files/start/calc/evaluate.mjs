import { parse } from "./parser.mjs";
import { tokenize } from "./tokenizer.mjs";

const ops = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
};

export function evaluateNode(node) {
  if (node.type === "number") return node.value;
  if (node.type === "negate") return -evaluateNode(node.operand);
  return ops[node.op](evaluateNode(node.left), evaluateNode(node.right));
}

export function calc(text) {
  return evaluateNode(parse(tokenize(text)));
}
