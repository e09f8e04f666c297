import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "**/build/**", "**/*.generated.ts", "**/assembly/**", ".artifacts/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", performance: "readonly", URL: "readonly",
        TextDecoder: "readonly", TextEncoder: "readonly", WebAssembly: "readonly", Buffer: "readonly",
        setTimeout: "readonly", clearTimeout: "readonly", self: "readonly", globalThis: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
