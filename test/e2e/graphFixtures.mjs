// Synthetic archives for the graph webview tests and benchmark: a seeded random tree of N versions
// shaped like a search (children of good parents are likelier), every status, one active version.

/** Mulberry32: a small seeded PRNG so every run draws the same tree. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const XSS = "<img src=x onerror=alert(1)>";

export function syntheticTree(count, { seed = 1, hostileId = false } = {}) {
  const random = rng(seed);
  const nodes = [];
  let evaluations = 0;
  const history = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? null : nodes[Math.floor(Math.pow(random(), 1.6) * i)];
    const roll = random();
    const status = i > count - 4 ? "pending" : roll < 0.08 ? "invalid" : "evaluated";
    const evaluated = status === "evaluated" ? 1 + Math.floor(random() * 6) : 0;
    const passed = Math.floor(random() * (evaluated + 1));
    const id = hostileId && i === 1 ? XSS : `n${i}`;
    nodes.push({
      id, parentId: parent ? parent.id : null, status, score: evaluated ? passed / evaluated : null, passed, evaluated,
      active: false, reverted: status === "evaluated" && random() < 0.02, origin: i === 0 ? "seed" : "self-edit",
      targetTask: i === 0 ? null : `t${Math.floor(random() * 12)}-task`, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    });
    if (evaluated) {
      evaluations += evaluated;
      history.push({ evaluation: evaluations, score: passed / evaluated, nodeId: id });
    }
  }
  const active = nodes.find((n, i) => i > 0 && n.status === "evaluated" && !n.reverted) ?? nodes[0];
  active.active = true;
  return { nodes, sessionId: "s0", budget: { used: evaluations, total: evaluations + 50 }, history };
}

export function syntheticDetails(node, diagnosis) {
  return {
    node,
    tasks: [{ taskId: "t1-sum", passed: 1, evaluated: 2 }, { taskId: XSS, passed: 0, evaluated: 1 }],
    diff: { against: node.parentId, added: 12, removed: 3, files: [{ path: `agent/${XSS}.ts`, added: 12, removed: 3 }] },
    tokens: { evaluation: 12345, creation: 678 },
    diagnosis,
    problemStatement: "Fix the failing task.",
  };
}
