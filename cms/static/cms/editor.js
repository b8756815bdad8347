// Hearth's Markdown editor: a toolbar over the admin's textarea and, beside it, a live preview
// rendered by Hearth (the admin's preview endpoint: the same renderer and sanitizer as the API)
// and drawn with the example blog's stylesheet in a sandboxed frame (no script runs in it).
"use strict";

(function () {
  const WRAP = {
    bold: ["**", "**", "bold text"],
    italic: ["*", "*", "italic text"],
    code: ["`", "`", "code"],
    link: ["[", "](https://)", "link text"],
  };
  const LINE = { heading: "## ", quote: "> ", list: "- ", numbered: "1. " };

  function csrfToken(textarea) {
    const field = textarea.form && textarea.form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Put `before`/`after` around the selection (or a placeholder), keeping it selected.
  function wrap(textarea, before, after, placeholder) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const chosen = value.slice(start, end) || placeholder;
    textarea.setRangeText(before + chosen + after, start, end, "end");
    textarea.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  // Start every selected line with `prefix`.
  function prefixLines(textarea, prefix) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    const block = value.slice(lineStart, end);
    const changed = block.split("\n").map((line) => prefix + line).join("\n");
    textarea.setRangeText(changed, lineStart, end, "select");
  }

  function insert(textarea, text) {
    textarea.focus();
    textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // The image library (when Hearth has one): a grid of the newest images, searched by alt
  // text; a click puts the image's Markdown at the cursor.
  function setupLibrary(editor, textarea, changed) {
    const url = editor.dataset.chooserUrl;
    const button = editor.querySelector("[data-library]");
    const panel = editor.querySelector(".hearth-editor-library");
    if (!url || !button || !panel) return;
    button.hidden = false;
    const search = panel.querySelector("input");
    const grid = panel.querySelector(".hearth-editor-images");

    async function load() {
      const address = new URL(url, location.href);
      if (search.value.trim()) address.searchParams.set("q", search.value.trim());
      grid.textContent = "Loading the library…";
      try {
        const response = await fetch(address, { credentials: "same-origin" });
        const data = await response.json();
        grid.replaceChildren();
        if (!data.images.length) grid.textContent = "No image in the library yet: upload some under Images.";
        for (const image of data.images) {
          const choice = document.createElement("button");
          choice.type = "button";
          choice.className = "hearth-editor-image";
          choice.title = image.alt;
          const img = document.createElement("img");
          img.src = image.thumbnail;
          img.alt = image.alt;
          choice.append(img);
          choice.addEventListener("click", () => {
            const before = textarea.selectionStart > 0 ? "\n\n" : "";
            insert(textarea, `${before}${image.markdown}\n\n`);
            panel.hidden = true;
            changed();
          });
          grid.append(choice);
        }
      } catch (error) {
        grid.textContent = `The library could not be loaded: ${error.message}`;
      }
    }

    button.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      if (!panel.hidden) load();
    });
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
  }

  function setup(editor) {
    const textarea = editor.querySelector("textarea");
    const frame = editor.querySelector(".hearth-editor-preview");
    const status = editor.querySelector(".hearth-editor-status");
    const title = document.getElementById("id_title");
    const url = editor.dataset.previewUrl;
    let timer = null;
    let sent = 0;

    function draw(html) {
      const doc = document.implementation.createHTMLDocument("");
      const link = doc.createElement("link");
      link.rel = "stylesheet";
      link.href = new URL(frame.dataset.stylesheet, location.href).href;
      doc.head.append(link);
      const article = doc.createElement("article");
      article.className = "post";
      const heading = doc.createElement("h1");
      heading.className = "post-title";
      heading.textContent = title ? title.value : "";
      const body = doc.createElement("div");
      body.className = "post-body";
      body.innerHTML = html; // rendered and sanitized by Hearth; the frame runs no script
      article.append(heading, body);
      const main = doc.createElement("main");
      main.append(article);
      doc.body.append(main);
      frame.srcdoc = "<!doctype html>" + doc.documentElement.outerHTML;
    }

    async function refresh() {
      const mine = ++sent;
      const form = new FormData();
      form.append("body", textarea.value);
      status.textContent = "Updating the preview…";
      try {
        const response = await fetch(url, {
          method: "POST", body: form, credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(textarea) },
        });
        const data = await response.json();
        if (mine !== sent) return; // a newer text is on its way
        if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
        draw(data.html);
        status.textContent = "";
        editor.dataset.previewed = String(sent);
      } catch (error) {
        if (mine === sent) status.textContent = `The preview could not be updated: ${error.message}`;
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }

    editor.querySelectorAll("[data-md]").forEach((button) => {
      button.addEventListener("click", () => {
        const kind = button.dataset.md;
        textarea.focus();
        if (WRAP[kind]) wrap(textarea, ...WRAP[kind]);
        else prefixLines(textarea, LINE[kind]);
        later();
      });
    });
    textarea.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      const kind = { b: "bold", i: "italic", k: "link" }[event.key.toLowerCase()];
      if (!kind) return;
      event.preventDefault();
      wrap(textarea, ...WRAP[kind]);
      later();
    });
    textarea.addEventListener("input", later);
    setupLibrary(editor, textarea, later);
    if (title) title.addEventListener("input", later);
    editor.hearthInsert = (text) => insert(textarea, text);
    refresh();
  }

  function start() {
    document.querySelectorAll(".hearth-editor").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
