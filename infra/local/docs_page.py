"""A self-contained API reference page for /docs: no CDN assets (swagger-ui would need one), just inline
JS that renders /openapi.json: paths, methods, parameters, request/response schemas, and a "try it" form.
"""

PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Passaparola API (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header input{padding:4px 8px;width:220px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
details.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:8px 0}
details.op>summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.m{font-weight:700;text-transform:uppercase;min-width:64px;text-align:center;border-radius:4px;color:#fff;padding:2px 6px;font-size:12px}
.get{background:#2f7dd1}.post{background:#2e9d5b}.put{background:#c78a1b}.patch{background:#8a5cc7}.delete{background:#c94040}
.path{font-family:ui-monospace,monospace}.sum{color:#5a6372}.body{padding:4px 16px 14px}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border-bottom:1px solid #eef0f3;padding:4px 6px;text-align:left;vertical-align:top}
pre{background:#f0f2f5;padding:8px;border-radius:4px;overflow:auto;font-size:12px;margin:4px 0}
h3{font-size:13px;margin:12px 0 4px;color:#5a6372;text-transform:uppercase}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:12px;min-height:70px}
button{padding:4px 12px;cursor:pointer}.req{color:#c94040}
</style></head><body>
<header><h1 id="title">Passaparola API</h1><span id="ver"></span>
<label>Secret key <input id="sk" value="__SECRET_KEY__"></label>
<label>Publishable key <input id="pk" value="__PUBLISHABLE_KEY__"></label>
<a href="/openapi.json" style="color:#9cc3ff">openapi.json</a></header>
<main id="main">Loading /openapi.json ...</main>
<script>
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
let spec;
function deref(s, seen) {
  seen = seen || new Set();
  if (!s || typeof s !== "object") return s;
  if (s.$ref) {
    const name = s.$ref.split("/").pop();
    if (seen.has(name)) return {"$ref": name};
    const t = s.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o && o[k], spec);
    return deref(t, new Set([...seen, name]));
  }
  if (Array.isArray(s)) return s.map(x => deref(x, seen));
  const o = {};
  for (const [k, v] of Object.entries(s)) o[k] = deref(v, seen);
  return o;
}
function example(s, depth) {
  s = s || {}; depth = depth || 0;
  if (depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  for (const k of ["anyOf", "oneOf", "allOf"]) if (s[k]) {
    const nonNull = s[k].filter(x => x.type !== "null");
    return example(nonNull[0] || s[k][0], depth + 1);
  }
  if (s.type === "object" || s.properties) {
    const o = {};
    for (const [k, v] of Object.entries(s.properties || {})) if ((s.required || []).includes(k)) o[k] = example(v, depth + 1);
    return o;
  }
  if (s.type === "array") return [example(s.items, depth + 1)];
  return {string: "string", integer: 0, number: 0, boolean: false}[s.type] ?? null;
}
function schemaText(s) { return esc(JSON.stringify(deref(s), null, 2)); }
function op(path, method, o) {
  const id = (method + path).replace(/\W/g, "_");
  const params = (o.parameters || []).map(p => deref(p));
  const bodySchema = o.requestBody && o.requestBody.content && (o.requestBody.content["application/json"] || {}).schema;
  let h = `<details class="op"><summary><span class="m ${method}">${method}</span><span class="path">${esc(path)}</span>
    <span class="sum">${esc(o.summary || "")}</span></summary><div class="body">`;
  if (o.description) h += `<p>${esc(o.description)}</p>`;
  if (o.security) h += `<p>Auth: ${esc(o.security.map(x => Object.keys(x).join("+")).join(" or "))}</p>`;
  if (params.length) {
    h += `<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>schema</th><th>description</th></tr>`;
    for (const p of params) h += `<tr><td>${esc(p.name)}${p.required ? ' <span class="req">*</span>' : ""}</td><td>${esc(p.in)}</td>
      <td><code>${esc(JSON.stringify(deref(p.schema || {})))}</code></td><td>${esc(p.description || "")}</td></tr>`;
    h += `</table>`;
  }
  if (bodySchema) h += `<h3>Request body</h3><pre>${schemaText(bodySchema)}</pre>`;
  h += `<h3>Responses</h3>`;
  for (const [code, r] of Object.entries(o.responses || {})) {
    const sc = r.content && r.content["application/json"] && r.content["application/json"].schema;
    h += `<div><b>${esc(code)}</b> ${esc(r.description || "")}</div>${sc ? `<pre>${schemaText(sc)}</pre>` : ""}`;
  }
  h += `<h3>Try it</h3>`;
  for (const p of params.filter(p => p.in === "path" || p.in === "query"))
    h += `<div><label>${esc(p.name)} (${esc(p.in)}) <input data-in="${esc(p.in)}" data-name="${esc(p.name)}"></label></div>`;
  if (bodySchema) h += `<textarea>${esc(JSON.stringify(example(deref(bodySchema)), null, 2))}</textarea>`;
  h += `<div><label><input type="radio" name="k${id}" value="sk" checked> secret key</label>
    <label><input type="radio" name="k${id}" value="pk"> publishable key</label>
    <button data-path="${esc(path)}" data-method="${method}">Send</button></div><pre class="out" hidden></pre>`;
  return h + `</div></details>`;
}
async function send(btn) {
  const box = btn.closest(".body");
  let path = btn.dataset.path; const q = new URLSearchParams();
  for (const i of box.querySelectorAll("input[data-in]")) {
    if (!i.value) continue;
    if (i.dataset.in === "path") path = path.replace("{" + i.dataset.name + "}", encodeURIComponent(i.value));
    else q.append(i.dataset.name, i.value);
  }
  const headers = {"Content-Type": "application/json"};
  const kind = box.querySelector("input[type=radio]:checked").value;
  if (kind === "sk") headers["Authorization"] = "Bearer " + document.getElementById("sk").value;
  else headers["X-Publishable-Key"] = document.getElementById("pk").value;
  const ta = box.querySelector("textarea");
  const out = box.querySelector(".out"); out.hidden = false; out.textContent = "...";
  const r = await fetch(path + (q.toString() ? "?" + q : ""), {method: btn.dataset.method.toUpperCase(), headers,
    body: ta ? ta.value : undefined});
  const t = await r.text();
  let pretty = t; try { pretty = JSON.stringify(JSON.parse(t), null, 2); } catch (e) {}
  out.textContent = r.status + " " + r.statusText + "\n" + pretty;
}
fetch("/openapi.json").then(r => r.json()).then(s => {
  spec = s;
  document.getElementById("title").textContent = s.info.title;
  document.getElementById("ver").textContent = "v" + s.info.version;
  const groups = {};
  for (const [path, item] of Object.entries(s.paths || {}))
    for (const [method, o] of Object.entries(item)) {
      if (!["get","post","put","patch","delete"].includes(method)) continue;
      const tag = (o.tags && o.tags[0]) || "default";
      (groups[tag] = groups[tag] || []).push(op(path, method, o));
    }
  let h = s.info.description ? `<p>${esc(s.info.description)}</p>` : "";
  for (const tag of Object.keys(groups).sort()) h += `<h2>${esc(tag)}</h2>` + groups[tag].join("");
  document.getElementById("main").innerHTML = h || "No paths.";
  document.getElementById("main").addEventListener("click", e => { if (e.target.dataset.method) send(e.target); });
}).catch(e => { document.getElementById("main").textContent = "Cannot load /openapi.json: " + e; });
</script></body></html>
"""


def render(secret_key: str = "", publishable_key: str = "") -> str:
    import html

    return PAGE.replace("__SECRET_KEY__", html.escape(secret_key)).replace(
        "__PUBLISHABLE_KEY__", html.escape(publishable_key)
    )
