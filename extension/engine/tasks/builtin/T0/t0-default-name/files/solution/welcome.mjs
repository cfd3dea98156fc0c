export function welcome(name = "guest") {
  return "Welcome, " + name + ".";
}
