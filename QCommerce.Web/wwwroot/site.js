// Small behaviours of the static pages, kept out of inline handlers so the Content-Security-Policy
// can forbid inline script. Delegated from the document, so they survive Blazor's enhanced navigation.
document.addEventListener('change', event => {
  const select = event.target;
  // A sort menu takes effect as soon as it changes (a "Sort" button remains for browsers without script).
  if (select instanceof HTMLSelectElement && select.hasAttribute('data-autosubmit') && select.form) select.form.submit();
});

// Live stock on the catalog's cards: while a grid of a chosen store is on screen, its badges follow the store's stock
// (one small batch request every 10 s, none while the tab is hidden), so a shelf emptied meanwhile shows "Sold out"
// without a reload and its Add button goes. The page itself stays a plain, cacheable HTML page.
(() => {
  const every = 10_000;
  async function refresh() {
    if (document.visibilityState !== 'visible') return;
    for (const grid of document.querySelectorAll('[data-live-stock]')) {
      const store = grid.getAttribute('data-live-stock');
      const cards = [...grid.querySelectorAll('[data-sku]')];
      if (!store || cards.length === 0) continue;
      try {
        const response = await fetch('/v1/availability:batch', {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ storeId: store, skuIds: cards.slice(0, 100).map(c => c.getAttribute('data-sku')) }),
        });
        if (!response.ok) continue;
        const { items } = await response.json();
        for (const item of items) {
          const card = grid.querySelector(`[data-sku="${item.skuId}"]`);
          const badge = card?.querySelector('.availability');
          if (!badge) continue;
          badge.textContent = item.label;
          badge.classList.remove('sold-out', 'low', 'in-stock');
          badge.classList.add(!item.inStock ? 'sold-out' : item.lowStock ? 'low' : 'in-stock');
          card.classList.toggle('is-sold-out', !item.inStock);
          if (!item.inStock) card.querySelector('.add-form')?.remove();
        }
      } catch { /* offline for a moment: the next tick tries again */ }
    }
  }
  setInterval(refresh, every);
  document.addEventListener('visibilitychange', refresh);
})();
