// Prudence's own behaviour. No inline scripts anywhere: everything hooks in from here.
document.addEventListener("DOMContentLoaded", () => {
  // "Select all" checkbox for bulk actions on list pages.
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(box.dataset.selectAll).forEach((row) => {
        row.checked = box.checked;
      });
    });
  });
  // Submit a form when a control marked data-autosubmit changes.
  document.querySelectorAll("[data-autosubmit]").forEach((control) => {
    control.addEventListener("change", () => control.form.requestSubmit());
  });
});
