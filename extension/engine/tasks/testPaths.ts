// Which changed files of a commit are tests, which are source, and which are neither (docs,
// lock files) — for mining tasks from a repository's history.

const testPatterns = [
  /(^|\/)(test|tests|__tests__|spec|specs|testing)\//i,
  /\.(test|spec)\.[cm]?[jt]sx?$/i,
  /(^|\/)test_[^/]+\.py$/i,
  /_test\.(py|go)$/i,
  /(^|\/)tests?\.[cm]?[jt]s$/i,
  /Tests?\.(java|kt|cs)$/,
];

const nonSourcePatterns = [
  /\.(md|markdown|rst|txt|adoc)$/i,
  /(^|\/)(LICENSE|LICENCE|COPYING|AUTHORS|CHANGELOG|CHANGES|NEWS)(\.[\w]+)?$/i,
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum)$/,
  /(^|\/)docs?\//i,
  /(^|\/)\.github\//,
  /(^|\/)\.(gitignore|gitattributes|editorconfig|prettierrc|eslintignore)$/,
];

export function isTestPath(file: string): boolean {
  return testPatterns.some((re) => re.test(file));
}

export function isSourcePath(file: string): boolean {
  return !isTestPath(file) && !nonSourcePatterns.some((re) => re.test(file));
}

const languageByExtension: Record<string, string> = {
  js: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript", ts: "typescript", tsx: "typescript", mts: "typescript",
  py: "python", go: "go", rs: "rust", java: "java", kt: "kotlin", cs: "csharp", rb: "ruby", c: "c", h: "c", cpp: "cpp", cc: "cpp",
};

/** The most common language among the files, or "unknown". */
export function guessLanguage(files: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const file of files) {
    const language = languageByExtension[file.split(".").pop()?.toLowerCase() ?? ""];
    if (language) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  let best = "unknown";
  let bestCount = 0;
  for (const [language, count] of counts) if (count > bestCount) [best, bestCount] = [language, count];
  return best;
}
