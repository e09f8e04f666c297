// `npm start`: serves the built page (dist/web) on 127.0.0.1 and prints its address.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { preview } from "vite";

const page = fileURLToPath(new URL("../dist/web/index.html", import.meta.url));
if (!existsSync(page)) {
  console.error(`${page} is missing: build the page first (npm start at the repository root does, or npm run build -w @microexp/demo)`);
  process.exit(1);
}
const server = await preview({ configFile: fileURLToPath(new URL("../vite.config.ts", import.meta.url)) });
console.log("microexp demo: the page runs entirely in your browser; nothing is uploaded.");
server.printUrls();
console.log("Press Ctrl+C to stop.");
