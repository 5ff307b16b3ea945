// Small behaviours of the static pages, kept out of inline handlers so the Content-Security-Policy
// can forbid inline script. Delegated from the document, so they survive Blazor's enhanced navigation.
document.addEventListener('change', event => {
  const select = event.target;
  // A sort menu takes effect as soon as it changes (a "Sort" button remains for browsers without script).
  if (select instanceof HTMLSelectElement && select.hasAttribute('data-autosubmit') && select.form) select.form.submit();
});
