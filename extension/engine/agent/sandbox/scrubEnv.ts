// The environment that model-written code sees: an allow-list of harmless variables from the
// parent, minus anything that still looks like a secret, plus what the caller sets explicitly.
// HOME and TMPDIR are never inherited: the caller points them inside the sandbox via `extra`.

/** Variables passed through by exact name (toolchain locations, locale, terminal, CA bundles). */
const ALLOWED_NAMES = new Set([
  "PATH", "LANG", "LANGUAGE", "TERM", "COLORTERM", "NO_COLOR", "TZ", "USER", "LOGNAME", "SHELL",
  "CI", "DEBIAN_FRONTEND",
  "JAVA_HOME", "GOROOT", "GOPATH", "GOFLAGS", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUST_BACKTRACE",
  "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
  "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONIOENCODING", "PYTHONHASHSEED",
  "NODE_PATH", "NVM_DIR", "NVM_BIN", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
]);

/** Variables passed through by prefix (locale categories). */
const ALLOWED_PREFIXES = ["LC_"];

/**
 * Names that are dropped even when allowed above (defence in depth for the allow-list and for
 * callers that check names themselves). Matched case-insensitively.
 */
const SECRET_PATTERNS: RegExp[] = [
  /TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|COOKIE|SESSION|AUTH|APIKEY|API_KEY|(^|_)KEY($|_)|KEYS?$/i,
  /^(AWS|AZURE|GOOGLE|GCP|GCLOUD|CLOUDSDK|GITHUB|GH|GITLAB|BITBUCKET|NPM|YARN|DOCKER|KUBE|HEROKU|VAULT|OPENAI|ANTHROPIC|HF|HUGGING_?FACE|SLACK|STRIPE|TWILIO|SENTRY|DATABASE|PG|MYSQL|REDIS)_/i,
  /^(SSH_AUTH_SOCK|SSH_AGENT_PID|GPG_AGENT_INFO|GNUPGHOME|KUBECONFIG|NETRC|DATABASE_URL|HF_TOKEN|NPM_TOKEN)$/i,
];

/** True when a variable name looks like it carries a secret (token, key, password, cloud credential…). */
export function isSecretName(name: string): boolean {
  return SECRET_PATTERNS.some((pattern) => pattern.test(name));
}

function isAllowedName(name: string): boolean {
  return ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * Returns a fresh environment: allowed, non-secret variables of `env`, then `extra` on top.
 * `extra` is the caller's explicit choice and is not filtered (that is how HOME, TMPDIR or a
 * deliberately shared variable get in).
 */
export function scrubEnv(env: NodeJS.ProcessEnv, extra?: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !isAllowedName(name) || isSecretName(name)) continue;
    result[name] = value;
  }
  if (result.PATH === undefined) result.PATH = "/usr/local/bin:/usr/bin:/bin";
  return { ...result, ...(extra ?? {}) };
}
