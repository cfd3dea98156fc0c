export function first(array) {
  return array[0];
}

export function last(array) {
  return array[array.length - 1];
}
