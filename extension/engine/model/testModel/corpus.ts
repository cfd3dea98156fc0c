// A small built-in English + code corpus. The test model's BPE merges are learned from it, so
// common English words, code keywords and the agent's tool-call JSON become single tokens.
// Changing this text changes every generated model (and its sha256).

const prose = String.raw`
The agent reads the task, looks at the files in the repository, and makes a small change.
Then it runs the tests. If the tests pass, the change is kept; if they fail, the agent reads
the error message and tries again. Every version of the agent is saved in an archive, so the
best one can be found later and nothing is lost.

You are a helpful coding assistant. Answer the question of the user in a clear and short way.
When you need more information, call one of the tools. When you are done, write the final answer.
Do not make up facts. If you do not know the answer, say that you do not know.

This is a simple example of a function that adds two numbers and returns the result.
The function takes two arguments, a and b, and it returns their sum. We write a test for it,
and the test checks that the function returns the right value for a few different inputs.
A good test is small, fast and easy to read. It should fail when the code is wrong.

There are many ways to solve a problem. First, understand what is being asked. Second, find the
part of the code that needs to change. Third, make the change and check that it works. Finally,
explain what you did and why. It is important to keep the code clean, simple and well tested.

The model is loaded from a file on the disk. The file contains the weights of the network and the
tokenizer. The tokenizer turns text into tokens, and the model predicts the next token, one at a
time, until it reaches the end of the answer or the maximum number of tokens.

In the morning the team meets to talk about the work of the day. Each person says what they did
yesterday, what they will do today, and whether something is blocking them. After the meeting
they write code, review changes from each other, and fix the bugs that users have reported.

What is the time? Where is the file? How does this work? Why did the build fail? Which version
should we use? Who wrote this code? When will the release be ready? Can you help me with this?
Yes, I can help. No, that is not right. Thank you for the report. Please try again later.

Read the file, edit the file, write a new file, list the directory, search for a word, run the
command, show the output, check the status, open the log, close the window, save the changes.
The user wants to add a new feature, fix an error, update the documentation, or remove old code.
`;

const typescript = String.raw`
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";

export interface Options {
  name: string;
  count?: number;
  enabled: boolean;
}

export function add(a: number, b: number): number {
  return a + b;
}

export async function loadConfig(file: string): Promise<Options> {
  const text = await readFile(file, "utf8");
  const data = JSON.parse(text) as Partial<Options>;
  if (typeof data.name !== "string") {
    throw new Error("the config file has no name");
  }
  return { name: data.name, count: data.count ?? 0, enabled: data.enabled === true };
}

export class Counter {
  private value = 0;

  constructor(private readonly step: number = 1) {}

  increment(): number {
    this.value += this.step;
    return this.value;
  }

  reset(): void {
    this.value = 0;
  }
}

const items = [1, 2, 3, 4, 5];
const doubled = items.map((x) => x * 2);
const total = items.reduce((sum, x) => sum + x, 0);
for (let i = 0; i < items.length; i++) {
  if (items[i] % 2 === 0) {
    console.log("even", items[i]);
  } else {
    console.log("odd", items[i]);
  }
}

export default function main(args: string[]): number {
  const options = { name: args[0] ?? "default", enabled: true };
  try {
    console.log(options.name, doubled, total);
    return 0;
  } catch (error) {
    console.error(error);
    return 1;
  }
}
`;

const javascript = String.raw`
const assert = require("node:assert");
const { test, describe } = require("node:test");

function fibonacci(n) {
  if (n < 2) return n;
  let a = 0;
  let b = 1;
  for (let i = 2; i <= n; i++) {
    const next = a + b;
    a = b;
    b = next;
  }
  return b;
}

describe("fibonacci", () => {
  test("returns the first numbers", () => {
    assert.strictEqual(fibonacci(0), 0);
    assert.strictEqual(fibonacci(1), 1);
    assert.strictEqual(fibonacci(10), 55);
  });
});

module.exports = { fibonacci };
`;

const python = String.raw`
import os
import sys
from typing import List, Optional


def read_lines(path: str) -> List[str]:
    """Read a file and return its lines without the trailing newline."""
    with open(path, "r", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


class Stack:
    def __init__(self) -> None:
        self.items: List[int] = []

    def push(self, item: int) -> None:
        self.items.append(item)

    def pop(self) -> Optional[int]:
        if not self.items:
            return None
        return self.items.pop()

    def __len__(self) -> int:
        return len(self.items)


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: main.py FILE")
        return 1
    for line in read_lines(sys.argv[1]):
        if line.startswith("#"):
            continue
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;

const toolCalls = String.raw`
<tool_call>
{"name": "read_file", "arguments": {"path": "src/index.ts"}}
</tool_call>
<tool_call>
{"name": "write_file", "arguments": {"path": "src/math.ts", "content": "export function add(a, b) { return a + b; }"}}
</tool_call>
<tool_call>
{"name": "run_command", "arguments": {"command": "npm test"}}
</tool_call>
<tool_call>
{"name": "list_files", "arguments": {"path": "."}}
</tool_call>
<tool_call>
{"name": "search", "arguments": {"query": "function", "path": "src"}}
</tool_call>
{"type": "object", "properties": {"path": {"type": "string", "description": "The path of the file"}}, "required": ["path"]}
{"name": "edit_file", "description": "Replace text in a file", "parameters": {"type": "object", "properties": {"old": {"type": "string"}, "new": {"type": "string"}}}}
{"id": 1, "status": "ok", "result": true, "error": null, "items": [], "version": "1.0.0"}
`;

const shellAndMarkdown = String.raw`
$ npm install
$ npm run build
$ npm test
$ git status
$ git diff --stat
$ git commit -m "Fix the failing test"
$ ls -la src/
$ cat package.json

# Project title

## Getting started

1. Install the dependencies with npm install.
2. Build the project with npm run build.
3. Run the tests with npm test.

- The source code is in the src folder.
- The tests are in the test folder.
- See the docs folder for more information.
`;

export const TOKENIZER_CORPUS: string = [prose, typescript, javascript, python, toolCalls, shellAndMarkdown].join("\n");
