// Clade's version, taken from package.json at build time (esbuild inlines the JSON).
import manifest from "../../package.json";

export const CLADE_VERSION: string = manifest.version;
