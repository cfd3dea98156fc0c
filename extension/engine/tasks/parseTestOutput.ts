// Best-effort reading of test-runner output: pass/fail counts and test-case names. Scoring never
// depends on this (the exit code decides); it feeds reports and the names of fail-to-pass tests.

export interface TestCounts {
  passed: number;
  failed: number;
}

const countPatterns: Array<(text: string) => TestCounts | undefined> = [
  // node --test (TAP: "# pass 3", spec: "ℹ pass 3")
  (text) => {
    const pass = lastMatch(text, /^(?:#|\u2139) pass (\d+)\s*$/gm);
    const fail = lastMatch(text, /^(?:#|\u2139) fail (\d+)\s*$/gm);
    return pass === undefined || fail === undefined ? undefined : { passed: Number(pass[1]), failed: Number(fail[1]) };
  },
  // jest "Tests: 1 failed, 3 passed, 4 total"; vitest "Tests  1 failed | 3 passed (4)"
  (text) => {
    const line = lastMatch(text, /^\s*Tests:?\s+(.*(?:passed|failed).*)$/gm);
    return line ? countWords(line[1]) : undefined;
  },
  // pytest "==== 1 failed, 3 passed in 0.12s ===="
  (text) => {
    const line = lastMatch(text, /^=+ (.*(?:passed|failed).*) in [\d.]+s.*=+\s*$/gm);
    return line ? countWords(line[1]) : undefined;
  },
  // go test -v
  (text) => {
    const passed = (text.match(/^\s*--- PASS/gm) ?? []).length;
    const failed = (text.match(/^\s*--- FAIL/gm) ?? []).length;
    return passed + failed > 0 ? { passed, failed } : undefined;
  },
];

export function parseTestCounts(output: string): TestCounts | undefined {
  for (const pattern of countPatterns) {
    const counts = pattern(output);
    if (counts) return counts;
  }
  return undefined;
}

export interface TestCases {
  passed: string[];
  failed: string[];
}

/** Names of passed and failed test cases (TAP, node spec reporter, jest/vitest, pytest -v). */
export function parseTestCases(output: string): TestCases {
  const passed = new Set<string>();
  const failed = new Set<string>();
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    let m = /^(not )?ok \d+ - (.*?)(?: # (SKIP|TODO)\b.*)?$/.exec(line);
    if (m) {
      if (!m[3]) (m[1] ? failed : passed).add(m[2]);
      continue;
    }
    m = /^([\u2714\u2713\u221a]|[\u2716\u2715\u00d7]) (.*?)(?: \([\d.]+ ?m?s\))?$/.exec(line);
    if (m) {
      (/[\u2714\u2713\u221a]/.test(m[1]) ? passed : failed).add(m[2]);
      continue;
    }
    m = /^(\S+::\S.*?) (PASSED|FAILED|ERROR)\b/.exec(line);
    if (m) (m[2] === "PASSED" ? passed : failed).add(m[1]);
  }
  for (const name of failed) passed.delete(name);
  return { passed: [...passed], failed: [...failed] };
}

function lastMatch(text: string, re: RegExp): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  return last;
}

function countWords(summary: string): TestCounts {
  const passed = /(\d+) passed/.exec(summary);
  const failed = /(\d+) failed/.exec(summary);
  const errors = /(\d+) errors?\b/.exec(summary);
  return { passed: passed ? Number(passed[1]) : 0, failed: (failed ? Number(failed[1]) : 0) + (errors ? Number(errors[1]) : 0) };
}
