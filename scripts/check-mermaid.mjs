// Parses Mermaid files with the real mermaid parser (under jsdom); exits 1 if any fails.
// Used by .ci/run: node scripts/check-mermaid.mjs FILE.mmd...
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
try { globalThis.navigator = dom.window.navigator; } catch {}
globalThis.DOMParser = dom.window.DOMParser; globalThis.Element = dom.window.Element;
const { default: mermaid } = await import('mermaid');
import fs from 'fs';
let bad = 0;
for (const f of process.argv.slice(2)) {
  const text = fs.readFileSync(f, 'utf8');
  try { const r = await mermaid.parse(text); console.log('ok', f, r.diagramType); }
  catch (e) { bad++; console.log('FAIL', f, String(e.message || e).slice(0, 400)); }
}
// negative control
try { await mermaid.parse('flowchart LR\n  a -->|x b'); console.log('control parsed?!'); bad++ } catch { console.log('control rejected (good)') }
process.exit(bad ? 1 : 0);
