/**
 * Pieces every block uses: headings, buttons that name their action, tone icons and the spans
 * that tick with the clock. Buttons carry their action in data attributes; one listener in app.ts
 * turns a click into a protocol message, so rendering stays free of closures.
 */
import { circuitText, formatAgo, waitText } from '../../shared/format';
import type { ChainActionType, CircuitStateView, ModelActionType, Tone } from '../../shared/protocol';
import { h, icon } from '../dom';

/** What a block renders with. `now` is host time, so countdowns match the host's circuits. */
export interface RenderContext {
  readonly now: number;
  readonly surface: 'sidebar' | 'dashboard';
  /** Width in CSS pixels available to the block (charts draw to it). */
  readonly width: number;
  /** Ids of the traces the user has expanded. */
  readonly openTraces: ReadonlySet<string>;
}

export type ActionName = ModelActionType | ChainActionType | 'showTrace';

export interface ButtonOptions {
  readonly action: ActionName;
  /** The model, for model actions; the trace id for `showTrace`. */
  readonly target?: string;
  /** The accessible name (also the tooltip). */
  readonly label: string;
  readonly icon?: string;
  /** Visible text; without it the button shows only its icon. */
  readonly text?: string;
  readonly variant?: 'primary' | 'secondary' | 'icon';
}

export function actionButton(options: ButtonOptions): HTMLButtonElement {
  const variant = options.variant ?? (options.text ? 'secondary' : 'icon');
  return h(
    'button',
    {
      type: 'button',
      class: `button button-${variant}`,
      'data-action': options.action,
      'data-target': options.target,
      // Keeps keyboard focus on "the same" button when its block is redrawn.
      'data-focus-key': `${options.action}:${options.target ?? ''}`,
      'aria-label': options.label,
      title: options.label,
    },
    options.icon ? icon(options.icon) : undefined,
    options.text ? h('span', { class: 'button-text' }, options.text) : undefined,
  );
}

export function heading(
  text: string,
  level: 'h2' | 'h3' = 'h2',
  ...extra: Array<Node | undefined>
): HTMLElement {
  return h('div', { class: 'heading-row' }, h(level, { class: 'heading' }, text), ...extra);
}

const TONE_ICONS: Record<Tone, string> = {
  ok: 'pass-filled',
  warning: 'warning',
  error: 'error',
  muted: 'circle-outline',
  info: 'info',
};

export function toneIcon(tone: Tone): HTMLSpanElement {
  return icon(TONE_ICONS[tone], `tone-icon tone-${tone}`);
}

const CIRCUIT_ICONS: Record<CircuitStateView, string> = {
  closed: 'pass-filled',
  open: 'error',
  halfOpen: 'sync',
  isolated: 'debug-disconnect',
};

export function circuitIcon(state: CircuitStateView, tone: Tone): HTMLSpanElement {
  return icon(CIRCUIT_ICONS[state], `tone-icon tone-${tone}`);
}

/** The circuit's words, kept current by the clock tick in app.ts (`open · probe in 8 s`). */
export function liveCircuit(
  state: CircuitStateView,
  nextProbeAt: number | undefined,
  now: number,
): HTMLSpanElement {
  return h(
    'span',
    { class: 'circuit-text', 'data-live': 'circuit', 'data-state': state, 'data-probe-at': nextProbeAt },
    circuitText(state, nextProbeAt, now),
  );
}

/** `3 min ago`, kept current. */
export function liveAgo(at: number, now: number): HTMLSpanElement {
  return h('span', { 'data-live': 'ago', 'data-at': at }, formatAgo(at, now));
}

/** A Retry-After wait with its time left, kept current; empty once over. */
export function liveWait(until: number, now: number): HTMLSpanElement {
  return h('span', { 'data-live': 'wait', 'data-until': until }, waitText(until, now) ?? '');
}

/** Updates every clock-driven span under `root` to `now`. */
export function refreshLiveText(root: ParentNode, now: number): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-live]')) {
    const data = element.dataset;
    let text: string | undefined;
    switch (data.live) {
      case 'circuit':
        text = circuitText(
          data.state as CircuitStateView,
          data.probeAt ? Number(data.probeAt) : undefined,
          now,
        );
        break;
      case 'ago':
        text = formatAgo(Number(data.at), now);
        break;
      case 'wait':
        text = waitText(Number(data.until), now) ?? '';
        break;
    }
    if (text !== undefined && element.textContent !== text) element.textContent = text;
  }
}

/** Text only screen readers get. */
export function visuallyHidden(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}
