// Recursive descent: expr = term (("+"|"-") term)*, term = factor (("*"|"/") factor)*,
// factor = number | "-" factor | "(" expr ")". Produces { type, ... } nodes.
export function parse(tokens) {
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (value) => peek()?.type === "op" && peek().value === value;

  function expr() {
    let node = term();
    while (isOp("+") || isOp("-")) node = { type: "binary", op: tokens[pos++].value, left: node, right: term() };
    return node;
  }
  function term() {
    let node = factor();
    while (isOp("*") || isOp("/")) node = { type: "binary", op: tokens[pos++].value, left: node, right: factor() };
    return node;
  }
  function factor() {
    const token = tokens[pos++];
    if (!token) throw new SyntaxError("unexpected end of input");
    if (token.type === "number") return { type: "number", value: token.value };
    if (token.value === "-") return { type: "negate", operand: factor() };
    if (token.value === "(") {
      const node = expr();
      if (!isOp(")")) throw new SyntaxError("missing )");
      pos++;
      return node;
    }
    throw new SyntaxError("unexpected " + token.value);
  }

  const tree = expr();
  if (pos !== tokens.length) throw new SyntaxError("unexpected " + peek().value);
  return tree;
}
