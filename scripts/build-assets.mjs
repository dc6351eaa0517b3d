// Bundles the front-end assets from node_modules (installed from package-lock.json) into
// src/hireflow/web/static/dist/. Run by `make assets`; the output is not committed.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "src", "hireflow", "web");
const out = join(web, "static", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "swagger"), { recursive: true });

await build({
  entryPoints: [join(web, "assets", "app.js"), join(web, "assets", "app.css")],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  outdir: out,
  logLevel: "warning",
});

// Swagger UI for /api/docs is served from here, never from a CDN.
const swagger = join(root, "node_modules", "swagger-ui-dist");
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  cpSync(join(swagger, file), join(out, "swagger", file));
}
writeFileSync(join(out, ".built"), new Date().toISOString() + "\n");
console.log(`assets bundled into ${out}`);
