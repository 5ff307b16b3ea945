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

// Adding to the cart in place: a tile's "Add" form is sent with fetch (asking for JSON), the page does not move, and the
// tile becomes a − / + stepper with the quantity in the cart; the header's badge follows. The forms stay plain forms, so
// without script they post and come back to the tile (#card-sku_N). The tiles are shared HTML; the cart's quantities
// come from the page's #cart-state.
(() => {
  const minus = '\u2212';

  function cartState() {
    const map = new Map();
    for (const pair of (document.getElementById('cart-state')?.getAttribute('data-cart') ?? '').split(' ')) {
      const [sku, qty] = pair.split(':');
      if (sku && Number(qty) > 0) map.set(sku, Number(qty));
    }
    return map;
  }

  function setBadge(count) {
    const link = document.querySelector('[data-testid=cart-link]');
    if (!link) return;
    let badge = link.querySelector('[data-testid=cart-count]');
    let spoken = link.querySelector('.cart-badge + .visually-hidden');
    if (count <= 0) { badge?.remove(); spoken?.remove(); return; }
    if (!badge) {
      badge = Object.assign(document.createElement('span'), { className: 'cart-badge' });
      badge.setAttribute('data-testid', 'cart-count');
      spoken = Object.assign(document.createElement('span'), { className: 'visually-hidden' });
      link.append(badge, spoken);
    }
    badge.textContent = String(count);
    if (spoken) spoken.textContent = count === 1 ? ' item' : ' items';
  }

  function toast(text, ok) {
    let box = document.getElementById('cart-toast');
    if (!box) {
      box = Object.assign(document.createElement('p'), { id: 'cart-toast' });
      box.setAttribute('role', 'status');
      box.setAttribute('data-testid', 'cart-notice');
      document.body.append(box);
    }
    box.className = `cart-toast ${ok ? 'ok' : 'warn'}`;
    box.textContent = text;
    clearTimeout(box.hideTimer);
    box.hidden = false;
    box.hideTimer = setTimeout(() => { box.hidden = true; }, 4000);
  }

  // The tile shows "Add" while the cart holds none of it, else − qty +.
  function renderTile(card, qty) {
    const form = card.querySelector('.add-form');
    if (!form) return;
    let stepper = card.querySelector('.qty-stepper');
    if (qty <= 0) { stepper?.remove(); form.hidden = false; return; }
    const title = card.getAttribute('data-title') ?? 'this item';
    if (!stepper) {
      stepper = document.createElement('div');
      stepper.className = 'qty-stepper';
      stepper.setAttribute('role', 'group');
      stepper.setAttribute('aria-label', `${title} in your cart`);
      stepper.setAttribute('data-testid', 'qty-stepper');
      const less = Object.assign(document.createElement('button'), { type: 'button', className: 'step', textContent: minus });
      less.setAttribute('data-step', '-1');
      const count = Object.assign(document.createElement('span'), { className: 'step-qty' });
      count.setAttribute('aria-live', 'polite');
      count.setAttribute('data-testid', 'stepper-qty');
      const more = Object.assign(document.createElement('button'), { type: 'button', className: 'step', textContent: '+' });
      more.setAttribute('data-step', '1');
      stepper.append(less, count, more);
      const focused = document.activeElement === form.querySelector('button');
      form.hidden = true;
      form.after(stepper);
      if (focused) more.focus(); // the keyboard stays on the tile
    }
    stepper.setAttribute('data-qty', String(qty));
    stepper.querySelector('.step-qty').textContent = String(qty);
    stepper.querySelector('[data-step="-1"]').setAttribute('aria-label', qty === 1 ? `Remove ${title} from the cart` : `One less ${title}`);
    stepper.querySelector('[data-step="1"]').setAttribute('aria-label', `One more ${title}`);
  }

  function applyCart() {
    const state = cartState();
    for (const card of document.querySelectorAll('.product-card[data-sku]')) renderTile(card, state.get(card.getAttribute('data-sku')) ?? 0);
  }

  // Changes to two tiles at once are counted by the server each after its own write, in any order: either answer may
  // miss the other's item. While changes overlap the badge waits; when the last is answered it asks for the count once.
  let inFlight = 0, overlapped = false;

  async function settleBadge(count) {
    if (--inFlight > 0) return;
    if (!overlapped) { setBadge(count); return; }
    overlapped = false;
    try {
      const response = await fetch('/cart/count', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok && inFlight === 0) setBadge((await response.json()).count);
    } catch { /* the next change sets it */ }
  }

  // A visitor's first change makes their cart (and its cookie): a second change sent before that answer came would
  // make another cart, and one of the two items would be lost. Later changes wait for the page's first one only.
  let firstChange = null;

  async function send(form, action, fields, card) {
    if (inFlight++ > 0) overlapped = true;
    const before = firstChange;
    let release = null;
    if (before === null) firstChange = new Promise(resolve => release = resolve);
    let count = null;
    const body = new FormData(form);
    for (const [key, value] of Object.entries(fields)) body.set(key, value);
    card?.classList.add('is-busy');
    try {
      if (before) await before;
      const response = await fetch(action, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      count = answer.count;
      if (card) renderTile(card, answer.quantity);
      toast(answer.text, answer.ok);
    } catch {
      // The network or the page's token failed: the plain form does it the slow way, which still works.
      if (action.endsWith('/cart/add')) form.submit();
      else toast('Your cart could not be updated; try again.', false);
    } finally {
      release?.();
      card?.classList.remove('is-busy');
      if (count === null) inFlight--; else await settleBadge(count);
    }
  }

  document.addEventListener('submit', event => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('add-form') || !window.fetch) return;
    event.preventDefault();
    const card = form.closest('.product-card');
    if (card?.classList.contains('is-busy')) return; // a double click adds one
    send(form, form.action, {}, card);
  });

  document.addEventListener('click', event => {
    const button = event.target instanceof Element ? event.target.closest('.qty-stepper [data-step]') : null;
    if (!button) return;
    const card = button.closest('.product-card');
    const stepper = button.closest('.qty-stepper');
    const form = card?.querySelector('.add-form');
    if (!card || !form || card.classList.contains('is-busy')) return;
    const qty = Math.max(0, Number(stepper.getAttribute('data-qty')) + Number(button.getAttribute('data-step')));
    send(form, '/cart/set', { qty: String(qty) }, card);
  });

  // The cart page changes the cart through the interactive circuit; it tells the header here.
  window.qcCart = { setCount: setBadge };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', applyCart); else applyCart();
  // Blazor's enhanced navigation swaps the page without a load event.
  window.Blazor?.addEventListener?.('enhancedload', applyCart);
})();

// Search suggestions: while the shopper types (3 letters, or 2 and a pause), the best products come from
// /v1/products/suggest (typos forgiven) under the box. The input is an ARIA combobox: ArrowDown/ArrowUp walk the list,
// Enter opens the product (or searches, when none is chosen), Escape closes it; a click opens one too.
(() => {
  const input = document.getElementById('site-search');
  const list = document.getElementById('search-suggestions');
  if (!input || !list || !window.fetch) return;
  // `generation` drops an answer that comes after Escape or after newer typing; a slow answer must neither reopen a
  // closed list nor take away the option the shopper has already walked to.
  let active = -1, timer = 0, asked = '', generation = 0, pending = 0;

  function close() {
    asked = '';
    generation++;
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function mark(index) {
    const options = [...list.children];
    if (options.length === 0) return;
    active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', options[active].id);
    options[active].scrollIntoView({ block: 'nearest' });
  }

  async function suggest() {
    const query = input.value.trim();
    if (query.length < 2 || query === asked) { if (query.length < 2) close(); return; }
    asked = query;
    const mine = ++generation;
    pending++;
    list.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`/v1/products/suggest?query=${encodeURIComponent(query)}`, { headers: { Accept: 'application/json' } });
      if (!response.ok || mine !== generation || input.value.trim() !== query) return;
      const items = await response.json();
      if (mine !== generation) return;
      const chosen = active >= 0 ? list.children[active]?.getAttribute('data-href') : null;
      list.replaceChildren(...items.map((item, i) => {
        const option = Object.assign(document.createElement('li'), { id: `suggestion-${i}` });
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.setAttribute('data-href', `/p/${item.slug}`);
        option.append(item.title, Object.assign(document.createElement('small'), { textContent: item.brand }));
        return option;
      }));
      list.dataset.query = query;
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute('aria-expanded', String(items.length > 0));
      input.removeAttribute('aria-activedescendant');
      const still = items.findIndex(item => `/p/${item.slug}` === chosen);
      if (still >= 0) mark(still);
    } catch { /* offline for a moment: the plain search still works */ }
    finally { if (--pending === 0) list.removeAttribute('aria-busy'); }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, input.value.trim().length >= 3 ? 120 : 300);
  });
  input.addEventListener('keydown', event => {
    if (list.hidden) { if (event.key === 'ArrowDown') suggest(); return; }
    if (event.key === 'ArrowDown') { event.preventDefault(); mark(active + 1); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); mark(active - 1); }
    else if (event.key === 'Escape') { event.preventDefault(); close(); }
    else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      window.location.assign(list.children[active].getAttribute('data-href'));
    }
  });
  list.addEventListener('mousedown', event => {
    const option = event.target instanceof Element ? event.target.closest('[role=option]') : null;
    if (option) { event.preventDefault(); window.location.assign(option.getAttribute('data-href')); }
  });
  // Focus gone to another element closes the list; the window losing focus (another tab, a screenshot) does not, and
  // the shopper comes back to the list and the option they chose.
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) close(); }, 150));
})();
