export function capitalize(word) {
  return word.length === 0 ? word : word[0].toUpperCase() + word.slice(1).toLowerCase();
}

export function titleCase(text) {
  return text.split(" ").map(capitalize).join(" ");
}
