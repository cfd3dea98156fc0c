export function welcome(name) {
  return "Welcome, " + name + ".";
}
