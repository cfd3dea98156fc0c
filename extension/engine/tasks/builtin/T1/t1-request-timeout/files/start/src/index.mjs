export { requestOptions } from "./client.mjs";
export { settings } from "./settings.mjs";
