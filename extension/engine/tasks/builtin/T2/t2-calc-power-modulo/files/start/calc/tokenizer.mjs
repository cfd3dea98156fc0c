/** Splits an arithmetic expression into number and operator tokens. */
export function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (/[0-9.]/.test(ch)) {
      let j = i;
      while (j < text.length && /[0-9.]/.test(text[j])) j++;
      tokens.push({ type: "number", value: Number(text.slice(i, j)) });
      i = j;
    } else if ("+-*/()".includes(ch)) {
      tokens.push({ type: "op", value: ch });
      i++;
    } else {
      throw new SyntaxError("unexpected character " + ch);
    }
  }
  return tokens;
}
