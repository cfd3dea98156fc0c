import { loadUser } from "./user-store.mjs";

export function greetUser(id) {
  return "Hello, " + loadUser(id).name + "!";
}
