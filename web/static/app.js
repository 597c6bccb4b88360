// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form came back with problems: move focus to their summary so a screen reader reads it first.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});

document.addEventListener("DOMContentLoaded", () => {
  // The header's menu (base.html): folded on a phone, open where there is room for the whole navigation.
  const menu = document.querySelector("details.menu");
  if (menu) {
    const wide = window.matchMedia("(min-width: 48rem)");
    const follow = () => { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
});
