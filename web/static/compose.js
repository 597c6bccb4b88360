// The compose page's live help: each chosen channel's count and problems as the officer types, and the
// Latin/Cyrillic buttons without a page reload. The server counts (the same code the worker runs); this
// file only asks and shows. Without it the page works the same through its buttons.
"use strict";

(() => {
  const DEBOUNCE_MS = 350;
  const form = document.getElementById("compose-form");
  const panel = document.getElementById("channel-checks");
  const status = document.getElementById("checks-status");
  if (!form || !panel) {
    return;
  }
  let timer = null;
  let latest = 0; // answers can overtake each other: only the newest request's answer is shown

  // What the server needs to count: every field but the file (it is only sent when saving).
  const formBody = () => {
    const data = new FormData(form);
    data.delete("upload");
    data.delete("action");
    return data;
  };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text; // never innerHTML: channel names and messages are data
    }
    return node;
  };

  const render = (result) => {
    const list = el("ul", "check-list");
    let problems = 0;
    for (const check of result.channels) {
      const item = el("li", check.problems.length ? "check check-problem" : "check");
      const head = el("p", "check-head");
      head.append(el("strong", "", check.name), " ", el("span", "check-kind", check.label));
      item.append(head);
      const count = el("p", check.over ? "check-count check-over" : "check-count",
        check.own_text ? `${check.count} · ${panel.dataset.ownText}` : check.count);
      count.dataset.channel = String(check.id);
      item.append(count);
      if (check.hint) {
        item.append(el("p", "hint", check.hint));
      }
      if (check.problems.length) {
        const ul = el("ul", "check-problems");
        for (const problem of check.problems) {
          const li = el("li");
          if (problem.target) {
            const link = el("a", "", problem.message);
            link.href = `#${problem.target}`;
            li.append(link);
          } else {
            li.textContent = problem.message;
          }
          ul.append(li);
        }
        item.append(ul);
        problems += check.problems.length;
      } else {
        item.append(el("p", "check-ok", panel.dataset.fits));
      }
      list.append(item);
    }
    panel.replaceChildren(result.channels.length ? list : el("p", "", panel.dataset.empty));
    // A short summary for screen readers, only when it changes: a count read out per key would drown the text.
    const said = problems ? panel.dataset.problems.replace("{num}", String(problems)) : panel.dataset.noProblems;
    if (result.channels.length && status.textContent !== said) {
      status.textContent = said;
    }
  };

  // The text in the other Serbian script than the chosen language: a warning, the server's words.
  const showScriptWarning = (message) => {
    const warning = document.getElementById("script-warning");
    if (warning) {
      warning.textContent = message || "";
      warning.hidden = !message;
    }
  };

  const check = async () => {
    const mine = ++latest;
    try {
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST", body: formBody(), credentials: "same-origin", headers: {Accept: "application/json"},
      });
      if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) {
        throw new Error(`HTTP ${response.status}`);
      }
      const result = await response.json();
      if (mine === latest) {
        render(result);
        showScriptWarning(result.script_warning);
      }
    } catch (error) {
      if (mine === latest) {
        status.textContent = panel.dataset.unavailable;
      }
    }
  };

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  };

  // Own texts only for the chosen channels: hide the others' (their text is kept, and the server says so).
  const showVariants = () => {
    const chosen = new Set(Array.from(form.querySelectorAll('input[name="channels"]:checked'), (box) => box.value));
    for (const variant of form.querySelectorAll("details.variant")) {
      const text = variant.querySelector("textarea");
      variant.hidden = !chosen.has(variant.dataset.channel) && !(text && text.value.trim());
    }
  };

  const setLanguage = (language) => {
    const radio = form.querySelector(`input[name="language"][value="${language}"]`);
    if (radio) {
      radio.checked = true;
    }
    for (const field of form.querySelectorAll("[lang]:is(input, textarea)")) {
      field.lang = language;
    }
  };

  const transliterate = async (button) => {
    const url = `${form.dataset.translitUrl}?to=${encodeURIComponent(button.dataset.translit)}`;
    button.disabled = true;
    try {
      const response = await fetch(url, {method: "POST", body: formBody(), credentials: "same-origin"});
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const result = await response.json();
      for (const [id, value] of Object.entries(result.fields)) {
        const field = document.getElementById(id);
        if (field) {
          field.value = value;
        }
      }
      setLanguage(result.language);
      check();
    } catch (error) {
      form.requestSubmit(button); // the page's own way: the server converts and shows the form again
    } finally {
      button.disabled = false;
    }
  };

  form.addEventListener("input", (event) => {
    if (event.target.type !== "file") {
      soon();
    }
    if (event.target.name === "channels") {
      showVariants();
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "language") {
      setLanguage(event.target.value);
    }
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-translit]");
    if (button) {
      event.preventDefault();
      transliterate(button);
    }
  });
  for (const node of form.querySelectorAll("[data-without-script]")) {
    node.hidden = true; // the counts follow the typing now
  }
  showVariants();
  check();
})();
