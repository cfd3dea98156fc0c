/** Lower-case words joined by dashes. */
export function slug(s) {
  return s.trim().toLowerCase().split(/\s+/).join("-");
}
