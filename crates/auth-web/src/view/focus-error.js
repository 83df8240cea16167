// Moves focus to what a page that shows an error wants read first: the first field marked
// invalid, or else the alert. A screen reader then reads it, and keyboard users start there.
// Loaded (with `defer`, after the page is parsed) only by pages that show an error; without
// JavaScript the page is the same, the alert is still announced by its role.
"use strict";
(function () {
  const visible = (element) => element && !element.hidden && element.getClientRects().length > 0;
  const invalid = Array.from(document.querySelectorAll('[aria-invalid="true"]')).find(visible);
  const alert = Array.from(document.querySelectorAll('main [role="alert"]')).find(visible);
  const target = invalid || alert;
  if (target && document.activeElement === document.body) {
    if (!target.hasAttribute("tabindex") && target === alert) {
      target.setAttribute("tabindex", "-1"); // an alert is not focusable by itself
    }
    target.focus();
  }
})();
