/**
 * Long lists and tables, streamed in parts. markdown-it renders a list or a table as one block, so
 * the one being written would be rendered again whole on every frame, at a cost that grows with
 * it. Instead it is cut between items or rows into parts of about 500 characters: each part is
 * rendered on its own and its items or rows are moved into the list or table already on screen,
 * which then is what one render of the whole would have made (a tight list: no blank line in it).
 * One that holds {@link ELEMENT_ITEMS} goes on in an element drawn as its continuation.
 *
 * This module joins a part's rendering to what is shown; joinRules.ts says where a cut may go.
 */

/** What holds a list's items or a table's rows. */
function box(element: Element): Element {
  return element instanceof HTMLTableElement ? (element.tBodies[0] ?? element.createTBody()) : element;
}

/** The items or rows of `rendered` (a part's first element) that can join `target`, if any. */
export function joinedItems(rendered: Element | null, target: Element | undefined): Element[] | undefined {
  if (!rendered || !target || rendered.tagName !== target.tagName) return undefined;
  if (rendered instanceof HTMLTableElement) return Array.from(rendered.tBodies[0]?.rows ?? []);
  return rendered.tagName === 'UL' || rendered.tagName === 'OL' ? Array.from(rendered.children) : undefined;
}

/**
 * Items or rows one list or table element holds. A browser lays a list or table out again whole
 * when an item or row is added to it, at a cost that grows with it (bench/README.md has the
 * figures). So one that has this many goes on in an element of its own
 * right below it, drawn as its continuation (a table keeps the column widths it has, a numbered
 * list counts on): adding an item or row lays out only the last one, and those scrolled out of
 * view are skipped.
 */
const ELEMENT_ITEMS = 100;

/** Adds items or rows at the end of `target`'s list or table body. */
export function appendItems(target: Element, items: Element[]): void {
  if (items.length > 0) box(target).append(...items);
}

/** For a list or table that holds {@link ELEMENT_ITEMS}, the element its later ones go in; else undefined. */
export function continuation(target: Element): HTMLElement | undefined {
  if (!(target instanceof HTMLElement) || itemCount(target) < ELEMENT_ITEMS) return undefined;
  let next: HTMLElement;
  if (target instanceof HTMLTableElement) {
    const columns = target.querySelector(':scope > colgroup') ?? freezeColumns(target);
    if (!columns) return undefined;
    const table = document.createElement('table');
    table.append(columns.cloneNode(true));
    table.createTBody();
    table.style.width = target.style.width;
    table.style.maxWidth = '100%';
    table.style.tableLayout = 'fixed';
    // One border line where the two meet.
    table.style.borderTopStyle = 'hidden';
    next = table;
  } else if (target instanceof HTMLOListElement) {
    const list = document.createElement('ol');
    list.start = target.start + itemCount(target);
    next = list;
  } else if (target instanceof HTMLUListElement) {
    next = document.createElement('ul');
  } else {
    return undefined;
  }
  // No gap between the two.
  target.style.marginBottom = '0';
  next.style.marginTop = '0';
  return next;
}

/**
 * Fixes a table's column widths at what they are now (one layout, read once per table); undefined
 * when they cannot be read (the panel is hidden).
 */
function freezeColumns(table: HTMLTableElement): HTMLTableColElement | undefined {
  // Read even out of view, where the browser skips laying out a group (`content-visibility`): it
  // lays out what is read.
  const widths = Array.from(table.rows[0]?.cells ?? [], (cell) => cell.getBoundingClientRect().width);
  const width = table.getBoundingClientRect().width;
  if (width === 0) return undefined;
  const columns = document.createElement('colgroup');
  for (const cellWidth of widths) {
    const column = document.createElement('col');
    column.style.width = `${(cellWidth / width) * 100}%`;
    columns.append(column);
  }
  table.prepend(columns);
  // As wide as it is, or as the panel once it is narrower: the columns keep their shares.
  table.style.width = `${width}px`;
  table.style.maxWidth = '100%';
  table.style.tableLayout = 'fixed';
  return columns;
}

/** The items or rows in `target`'s list or table body. */
export function itemCount(target: Element): number {
  return target instanceof HTMLTableElement ? (target.tBodies[0]?.rows.length ?? 0) : target.children.length;
}

/**
 * `to`, a list or table rendered again, takes the place of `from`: the items or rows after its
 * first `keep` (which later parts added), and what joins it to its continuation (fixed columns,
 * no margin below).
 */
export function takeOver(from: Element, keep: number, to: Element): void {
  appendItems(to, Array.from(box(from).children).slice(keep));
  if (from instanceof HTMLElement && to instanceof HTMLElement && from.style.length > 0) {
    to.style.cssText = from.style.cssText;
  }
  const columns = from.querySelector(':scope > colgroup');
  if (columns) to.prepend(columns);
}
