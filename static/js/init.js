// Starts GOV.UK Frontend's components. Pages work without it; it only enhances them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// On a narrow screen a data table too wide for it scrolls by itself (static/css/app.css,
// "Reflow"). While it does, it is made focusable, so it can be scrolled from the keyboard
// even when nothing in it takes focus; its caption names it. Tables in a region of their own
// (.app-table-container) are focusable already.
const scrollingTables = document.querySelectorAll(
  ".govuk-main-wrapper .govuk-table:not(.app-table--stack)",
);
const focusableWhileScrolling = new ResizeObserver((entries) => {
  for (const { target: table } of entries) {
    if (table.closest(".app-table-container")) continue;
    if (table.scrollWidth > table.clientWidth) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  }
});
for (const table of scrollingTables) focusableWhileScrolling.observe(table);
