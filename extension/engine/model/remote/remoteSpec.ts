// A model served by an inference server: `openai:<base URL of the OpenAI-compatible API>#<model name>`,
// e.g. `openai:http://127.0.0.1:8080/v1#qwen2.5-coder-7b`. The server kind (how tool calls are
// constrained, how prompt caching and usage are reported) is detected when the model is loaded,
// or set with `?server=` after the name: `#qwen2.5-coder:7b?server=ollama`.
import { CladeError } from "../../../protocol/errors";

export const REMOTE_PREFIX = "openai:";
export const SERVER_KINDS = ["llama.cpp", "vllm", "ollama", "openai"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export interface RemoteSpec {
  /** The OpenAI-compatible API's base, without a trailing slash (…/v1). */
  baseUrl: string;
  /** The model name the server knows (`model` in requests); "" lets a single-model server choose. */
  model: string;
  /** Set by `?server=`; otherwise detected. */
  kind?: ServerKind;
}

export function isRemoteModel(source: string): boolean {
  return source.trim().startsWith(REMOTE_PREFIX);
}

export function parseRemoteSpec(source: string): RemoteSpec {
  const text = source.trim().slice(REMOTE_PREFIX.length);
  const hash = text.indexOf("#");
  const urlText = hash < 0 ? text : text.slice(0, hash);
  let fragment = hash < 0 ? "" : text.slice(hash + 1);
  let kind: ServerKind | undefined;
  const query = fragment.indexOf("?server=");
  if (query >= 0) {
    const value = fragment.slice(query + "?server=".length);
    if (!SERVER_KINDS.includes(value as ServerKind)) throw bad(source, `"?server=${value}" names no server kind`, `use one of ${SERVER_KINDS.join(", ")}, or leave it out to detect it`);
    kind = value as ServerKind;
    fragment = fragment.slice(0, query);
  }
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw bad(source, `"${urlText}" is not a URL`, "write it as openai:http://HOST:PORT/v1#MODEL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad(source, `the server URL must be http or https, not ${url.protocol}`, "write it as openai:http://HOST:PORT/v1#MODEL");
  if (url.username || url.password) throw bad(source, "the URL carries a user name or password", "remove them: give the API key with CLADE_API_KEY (CLI) or \"Clade: Set Inference Server API Key\" (VS Code), never in the URI");
  if (url.search || url.hash) throw bad(source, "the server URL has a query", "put only the API base (…/v1) before the #MODEL");
  return { baseUrl: url.toString().replace(/\/+$/, ""), model: decodeURIComponent(fragment), ...(kind ? { kind } : {}) };
}

function bad(source: string, problem: string, fix: string): CladeError {
  return new CladeError("invalid-argument", `The model "${source}" is not a valid inference-server model: ${problem}.`, `${fix[0]!.toUpperCase()}${fix.slice(1)}.`);
}
