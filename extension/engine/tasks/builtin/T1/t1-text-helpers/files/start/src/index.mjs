export { slug } from "./slug.mjs";
