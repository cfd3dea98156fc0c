const pairs = { ")": "(", "]": "[", "}": "{" };

/** True when (), [] and {} are balanced and properly nested. */
export function isBalanced(text) {
  const stack = [];
  let inString = false;
  for (const ch of text) {
    if (ch === '"') inString = !inString;
    else if (inString) continue;
    else if (ch === "(" || ch === "[" || ch === "{") stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}
