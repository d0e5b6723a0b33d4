// Mermaid's own parser on the diagrams given as a JSON array of strings on stdin; prints a
// JSON array with one result each: {"ok": true, "type": "flowchart-v2"} or {"ok": false,
// "error": "..."}. Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom gives it
// one, so no browser is needed (parse only: layout would need a real one).
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");
