/**
 * Building DOM without HTML strings: text always goes in as text (never parsed), so nothing a
 * model name or an error message contains can become markup. No inline styles either (the CSP
 * forbids them): looks come from classes in media/metrics.css, sizes in charts from SVG attributes.
 */

export type Child = Node | string | number | false | null | undefined;
export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** `h('button', { class: 'icon', 'aria-label': 'Reset' }, icon('debug-restart'))` */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element: `svg('rect', { x: 0, y: 0, width: 10, height: 4, class: 'series-0' })`. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** A codicon, hidden from screen readers (the control around it carries the label). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', {
    class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`,
    'aria-hidden': 'true',
  });
}

/** An SVG `<title>`: the native tooltip of a chart mark. */
export function svgTitle(text: string): SVGTitleElement {
  return svg('title', {}, text);
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}
