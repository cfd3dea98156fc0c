/**
 * Renders {{ path }} (escaped) and {{{ path }}} (raw) tags.
 */
export function render(template, data) {
  throw new Error("not implemented");
}
