// scrubEnv: allow-list, secret names dropped, HOME/TMPDIR never inherited, explicit extras kept.
import { describe, expect, it } from "vitest";
import { isSecretName, scrubEnv } from "../../extension/engine/agent/sandbox/scrubEnv";

const parent: NodeJS.ProcessEnv = {
  PATH: "/usr/bin:/bin",
  LANG: "en_US.UTF-8",
  LC_ALL: "C.UTF-8",
  TERM: "xterm-256color",
  HOME: "/home/me",
  TMPDIR: "/tmp/me",
  GITHUB_TOKEN: "ghp_secret",
  GH_TOKEN: "gho_secret",
  AWS_SECRET_ACCESS_KEY: "aws_secret",
  AWS_ACCESS_KEY_ID: "AKIA",
  AZURE_CLIENT_SECRET: "az",
  GOOGLE_APPLICATION_CREDENTIALS: "/home/me/gcp.json",
  NPM_TOKEN: "npm_secret",
  OPENAI_API_KEY: "sk-secret",
  HF_TOKEN: "hf_secret",
  SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
  SSH_AGENT_PID: "123",
  GPG_AGENT_INFO: "/run/gpg",
  KUBECONFIG: "/home/me/.kube/config",
  DOCKER_HOST: "unix:///var/run/docker.sock",
  DATABASE_URL: "postgres://user:pw@host/db",
  MY_APP_PASSWORD: "hunter2",
  NODE_OPTIONS: "--require /home/me/inject.js",
  VSCODE_IPC_HOOK: "/run/vscode.sock",
  ELECTRON_RUN_AS_NODE: "1",
  RANDOM_THING: "x",
  UNSET: undefined,
};

describe("scrubEnv", () => {
  it("keeps the allow-listed, harmless variables", () => {
    const env = scrubEnv(parent);
    expect(env).toMatchObject({ PATH: "/usr/bin:/bin", LANG: "en_US.UTF-8", LC_ALL: "C.UTF-8", TERM: "xterm-256color" });
  });

  it("drops secrets, sockets, injection hooks and anything not allow-listed", () => {
    const env = scrubEnv(parent);
    const text = JSON.stringify(env);
    for (const value of ["ghp_secret", "gho_secret", "aws_secret", "AKIA", "npm_secret", "sk-secret", "hf_secret", "hunter2", "ssh-agent", "docker.sock", "inject.js", "pw@host"]) {
      expect(text).not.toContain(value);
    }
    for (const name of ["GITHUB_TOKEN", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "KUBECONFIG", "NODE_OPTIONS", "VSCODE_IPC_HOOK", "ELECTRON_RUN_AS_NODE", "RANDOM_THING", "UNSET"]) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it("never inherits HOME or TMPDIR; the caller sets them (and anything else) through extra", () => {
    expect(scrubEnv(parent)).not.toHaveProperty("HOME");
    expect(scrubEnv(parent)).not.toHaveProperty("TMPDIR");
    const env = scrubEnv(parent, { HOME: "/sandbox/home", TMPDIR: "/sandbox/tmp", GIT_AUTHOR_NAME: "Clade" });
    expect(env).toMatchObject({ HOME: "/sandbox/home", TMPDIR: "/sandbox/tmp", GIT_AUTHOR_NAME: "Clade" });
  });

  it("supplies a PATH when the parent has none", () => {
    expect(scrubEnv({}).PATH).toMatch(/\/usr\/bin/);
  });

  it("classifies secret-looking names", () => {
    for (const name of ["GITHUB_TOKEN", "ACCESS_KEY", "API_KEY", "MY_PASSWORD", "DB_PASSWD", "AWS_REGION", "AZURE_TENANT", "GCP_PROJECT", "GOOGLE_CLOUD_PROJECT", "NPM_CONFIG_REGISTRY", "DOCKER_CONFIG", "SSH_AUTH_SOCK", "XAUTHORITY", "CLIENT_SECRET"]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ["PATH", "LANG", "TERM", "LC_CTYPE", "PYTHONPATH", "JAVA_HOME", "KEYBOARD_LAYOUT_NAME_X"]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });
});
