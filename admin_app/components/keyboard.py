"""Keyboard paths through the app, in the browser (no server round trip): `/` focuses the search,
the down arrow leaves it for the rows, Enter in it opens the only row found, and Escape leaves it;
`j`/`k` move through a list's rows and Enter opens one, `g` then a letter goes to a page the person
may open, `?` lists the shortcuts (those pages only). None fires while the person types in a field or
a dialog is open. Ctrl+K (⌘K) opens the command palette from anywhere; in it the arrows move through
what it found and Enter opens the first, once it is for what was typed."""

import json

from admin_app.components.layout import NAV_ITEMS

# A dialog opened by the server (no Radix trigger) gives the focus back to the control it was opened
# from when it closes (for a menu's item, the menu's button); Radix alone would leave it on the body.
RETURN_FOCUS_SCRIPT = """
if (!window.__returnFocusBound) {
  window.__returnFocusBound = true;
  const dialogs = '[role=dialog],[role=alertdialog]';
  const inDialog = (el) => el && el.closest && el.closest(dialogs);
  let lastOutside = null;
  let openedFrom = null;
  document.addEventListener('focusin', (event) => {
    if (!inDialog(event.target)) lastOutside = event.target;
  });
  // A dialog opened from a menu item goes back to the button that opened the menu (the item is gone).
  const opener = (el) => {
    const menu = el && el.closest && el.closest('[role=menu]');
    const trigger = menu && document.getElementById(menu.getAttribute('aria-labelledby'));
    return trigger || el;
  };
  new MutationObserver(() => {
    const open = document.querySelector(dialogs);
    if (open && !openedFrom) openedFrom = opener(lastOutside);
    if (!open && openedFrom) {
      const back = openedFrom;
      openedFrom = null;
      setTimeout(() => {
        const lost = !document.activeElement || document.activeElement === document.body;
        if (lost && back.isConnected) back.focus();
      }, 0);
    }
  }).observe(document.body, { childList: true, subtree: true });
}
"""

SHORTCUTS = [
    ("Ctrl K", "Find anything"),
    ("/", "Search this list"),
    ("↓ / Esc", "From the search box: to the rows / out of it"),
    ("Enter", "From the search box: open the only row found"),
    ("j / k", "Next / previous row"),
    ("Enter", "Open the row"),
]
# `g` then the key, for each page; the sheet and the keys offer a page only where the sidebar does
# (it shows the pages the person's role may open).
PAGE_SHORTCUTS = [(item.key, item.href, item.label) for item in NAV_ITEMS]

KEYBOARD_SCRIPT = (
    """
if (!window.__keyboardBound) {
  window.__keyboardBound = true;
  const pageShortcuts = """
    + json.dumps(PAGE_SHORTCUTS)
    + """;
  const shortcuts = """
    + json.dumps(SHORTCUTS)
    + """;
  const navLink = (href) => document.querySelector(`nav[aria-label=Pages] a[href="${href}"]`);
  const pageFor = (key) => {
    const found = pageShortcuts.find(([k, href]) => k === key && navLink(href));
    return found && found[1];
  };
  let pendingG = 0;
  const typing = (el) => el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  const rowLinks = () => Array.from(document.querySelectorAll('a.row-link'));
  function moveRow(step) {
    const links = rowLinks();
    if (!links.length) return;
    const at = links.indexOf(document.activeElement);
    const start = step > 0 ? 0 : links.length - 1;
    const next = at === -1 ? start : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
    links[next].scrollIntoView({ block: 'nearest' });
  }
  function openPalette() {
    const palette = document.getElementById('palette');
    if (!palette) return;
    if (!palette.open) palette.showModal();
    const input = document.getElementById('palette-input');
    input.focus();
    input.select();
  }
  window.openPalette = openPalette;
  const paletteLinks = () => Array.from(document.querySelectorAll('#palette-results a'));
  // Enter opens the first hit once the results are those of the term in the box (the search is
  // debounced and answered by the server), or says nothing matched.
  function openFirstHit(input) {
    const started = Date.now();
    const attempt = () => {
      const results = document.getElementById('palette-results');
      const current = results && results.dataset.term === input.value && !results.dataset.searching;
      if (current) {
        const first = document.querySelector('#palette-results a.palette-hit');
        if (first) first.click();
      } else if (Date.now() - started < 5000) {
        setTimeout(attempt, 50);
      }
    };
    attempt();
  }
  function inPalette(event) {
    const links = paletteLinks();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const at = links.indexOf(document.activeElement);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const next = at + step;
      if (next < 0) document.getElementById('palette-input').focus();
      else if (links.length) links[Math.min(links.length - 1, next)].focus();
      return;
    }
    if (event.key === 'Enter' && event.target.id === 'palette-input') {
      event.preventDefault();
      openFirstHit(event.target);
    }
  }
  document.addEventListener('click', (event) => {
    const palette = document.getElementById('palette');
    const link = event.target.closest && event.target.closest('#palette a');
    if (palette && palette.open && link) palette.close();
  });
  function showHelp() {
    let dialog = document.getElementById('shortcuts');
    if (!dialog) {
      dialog = document.createElement('dialog');
      dialog.id = 'shortcuts';
      dialog.setAttribute('aria-labelledby', 'shortcuts-title');
      // Inside the theme's root, where its colours are defined.
      (document.querySelector('.radix-themes') || document.body).appendChild(dialog);
    }
    // Drawn anew each time: the pages offered are those the sidebar shows now.
    const pages = pageShortcuts.filter(([, href]) => navLink(href))
      .map(([key, , label]) => [`g ${key}`, label]);
    const rows = [...shortcuts, ...pages, ['?', 'Show these shortcuts']]
      .map(([keys, what]) => `<tr><td><kbd>${keys}</kbd></td><td>${what}</td></tr>`).join('');
    dialog.innerHTML = `<h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table><tbody>${rows}</tbody></table>
      <form method="dialog"><button>Close</button></form>`;
    dialog.showModal();
  }
  // Enter in the search box opens the only row found, once the rows are those of the term in the box
  // (the search is debounced and answered by the server).
  function openOnlyRow(input) {
    const started = Date.now();
    const attempt = () => {
      const results = document.querySelector('[data-testid=results]');
      if (results && results.dataset.query === input.value.trim()) {
        const links = rowLinks();
        if (links.length === 1) links[0].click();
      } else if (Date.now() - started < 5000) {
        setTimeout(attempt, 50);
      }
    };
    attempt();
  }
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      openPalette();
      return;
    }
    if (event.target && event.target.closest && event.target.closest('#palette')) {
      inPalette(event);
      return;
    }
    // In a list's search box the down arrow goes on to the rows, Enter opens the only one, Escape leaves.
    if (event.target && event.target.id === 'search') {
      if (event.key === 'ArrowDown') { event.preventDefault(); moveRow(1); }
      if (event.key === 'Enter') { event.preventDefault(); openOnlyRow(event.target); }
      if (event.key === 'Escape') event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector('[role=dialog],[role=alertdialog],dialog[open]')) return;
    const key = event.key;
    if (pendingG && Date.now() - pendingG < 1500 && pageFor(key)) {
      pendingG = 0;
      event.preventDefault();
      navLink(pageFor(key)).click();
      return;
    }
    pendingG = 0;
    if (key === 'g') { pendingG = Date.now(); return; }
    if (key === 'j' || key === 'k') { event.preventDefault(); moveRow(key === 'j' ? 1 : -1); return; }
    if (key === '?') { event.preventDefault(); showHelp(); return; }
    const search = document.getElementById('search');
    if (key === '/' && search) { event.preventDefault(); search.focus(); search.select(); }
  });
}
"""
)
