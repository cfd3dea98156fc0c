/** The first character upper-cased, the rest unchanged. */
export function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Every space-separated word capitalized. */
export function titleCase(s) {
  return s.split(" ").map(capitalize).join(" ");
}

/** At most n characters: the first n - 1 and an ellipsis when s is longer. */
export function truncate(s, n) {
  return s.length <= n ? s : s.slice(0, n - 1) + "…";
}

/** Padded on the left with ch to length n. */
export function padLeft(s, n, ch = " ") {
  return s.padStart(n, ch);
}

/** Padded on the right with ch to length n. */
export function padRight(s, n, ch = " ") {
  return s.padEnd(n, ch);
}

/** The number of whitespace-separated words. */
export function countWords(s) {
  return s.trim() === "" ? 0 : s.trim().split(/\s+/).length;
}

/** The words in reverse order, joined by single spaces. */
export function reverseWords(s) {
  return s.trim().split(/\s+/).reverse().join(" ");
}

/** True when s has only whitespace. */
export function isBlank(s) {
  return s.trim() === "";
}

/** Runs of whitespace become one space, ends trimmed. */
export function collapseSpaces(s) {
  return s.trim().replace(/\s+/g, " ");
}

/** The upper-cased first letter of each word, joined. */
export function initials(s) {
  return s.trim().split(/\s+/).map((word) => word.charAt(0).toUpperCase()).join("");
}

/** Words joined in camelCase. */
export function camelCase(s) {
  return s.trim().toLowerCase().split(/\s+/).map((word, i) => (i === 0 ? word : capitalize(word))).join("");
}

/** Lower-case words joined by dashes. */
export function kebabCase(s) {
  return s.trim().toLowerCase().split(/\s+/).join("-");
}

/** s repeated n times, joined by sep. */
export function repeatText(s, n, sep = "") {
  return Array.from({ length: n }, () => s).join(sep);
}

/** The number of times part occurs in s, without overlaps. */
export function countOf(s, part) {
  return part === "" ? 0 : s.split(part).length - 1;
}
