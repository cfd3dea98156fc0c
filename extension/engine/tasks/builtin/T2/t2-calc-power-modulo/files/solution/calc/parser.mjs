// Recursive descent: expr = term (("+"|"-") term)*, term = unary (("*"|"/"|"%") unary)*,
// unary = "-" unary | power, power = primary ("^" unary)?, primary = number | "(" expr ")".
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
    let node = unary();
    while (isOp("*") || isOp("/") || isOp("%")) node = { type: "binary", op: tokens[pos++].value, left: node, right: unary() };
    return node;
  }
  function unary() {
    if (isOp("-")) {
      pos++;
      return { type: "negate", operand: unary() };
    }
    return power();
  }
  function power() {
    const base = primary();
    if (!isOp("^")) return base;
    pos++;
    return { type: "binary", op: "^", left: base, right: unary() };
  }
  function primary() {
    const token = tokens[pos++];
    if (!token) throw new SyntaxError("unexpected end of input");
    if (token.type === "number") return { type: "number", value: token.value };
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
