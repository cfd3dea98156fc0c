import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/**", ".vscode-test/**", "test-output/**", "native-models/build/**", "extension/engine/tasks/builtin/**/files/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["**/*.mjs", "**/*.js"], languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // The engine runs outside VS Code (engine process, CLI, tests): it must never import `vscode`.
    files: ["extension/engine/**/*.ts", "extension/protocol/**/*.ts", "extension/seed-agent/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "extension/engine must not import vscode: put VS Code code in extension/vscode/ and talk to the engine over the protocol." }] }],
      "no-restricted-syntax": ["error", { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: "extension/engine must not require vscode." }],
    },
  },
  {
    files: ["extension/vscode/**/*.ts"],
    rules: { "no-console": "error" },
  },
);
