import { fetchUser } from "./user-store.mjs";

export function greetUser(id) {
  return "Hello, " + fetchUser(id).name + "!";
}
