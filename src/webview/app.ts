/**
 * The webview's runtime, shared by the sidebar and the dashboard: says `ready`, keeps the view
 * state from the host's snapshot and updates, redraws only the blocks whose sections changed (at
 * most once a frame), keeps keyboard focus and expanded traces across redraws, ticks countdowns,
 * announces circuit and budget changes to screen readers, and turns button clicks into messages.
 */
import {
  CHAIN_ACTION_TYPES,
  MODEL_ACTION_TYPES,
  type ChainActionType,
  type HostMessage,
  type ModelActionType,
  type SectionName,
  type Surface,
  type ViewState,
  type WebviewMessage,
} from '../shared/protocol';
import { h } from './dom';
import { refreshLiveText, type RenderContext } from './render/common';
import { applyHostMessage, changedSections, type ClientView } from './viewState';
import { loadUiState, postToHost, saveUiState } from './vscodeApi';

/** A part of the page: redrawn when one of its sections changes. */
export interface Block {
  /** CSS hook: the block's container gets `block block-<name>`. */
  readonly name: string;
  readonly sections: readonly SectionName[];
  /** Redrawn when its width changes too (charts). */
  readonly followsWidth?: boolean;
  readonly render: (state: ViewState, context: RenderContext) => Node[];
}

export function startApp(surface: Surface, blocks: readonly Block[]): void {
  const root = document.getElementById('app');
  const announcer = document.getElementById('announcer');
  if (!root) return;
  const openTraces = new Set(loadUiState().openTraces ?? []);
  // Saving some state at once marks the panel as one VS Code restores after a window reload.
  saveUiState({ openTraces: [...openTraces] });
  const containers = new Map<Block, HTMLElement>();
  const widths = new Map<Block, number>();
  let view: ClientView | undefined;
  let dirty = new Set<Block>();
  let frame: number | undefined;

  const hostNow = () => Date.now() + (view?.clockOffset ?? 0);
  const contextFor = (container: HTMLElement): RenderContext => ({
    now: hostNow(),
    surface,
    width: contentWidth(container),
    openTraces,
  });

  const draw = () => {
    frame = undefined;
    if (!view) return;
    if (containers.size === 0) {
      root.replaceChildren(
        ...blocks.map((block) => {
          const container = h('section', { class: `block block-${block.name}` });
          containers.set(block, container);
          return container;
        }),
      );
      root.removeAttribute('aria-busy');
    }
    for (const block of dirty) {
      const container = containers.get(block);
      if (!container) continue;
      const focusKey = focusedKeyIn(container);
      // Measured while shown: a hidden block has no width to draw to.
      container.hidden = false;
      container.replaceChildren(...block.render(view.state, contextFor(container)));
      container.hidden = container.childElementCount === 0;
      widths.set(block, container.clientWidth);
      if (focusKey) restoreFocus(container, focusKey);
    }
    dirty = new Set();
  };

  const redraw = (which: Iterable<Block>) => {
    for (const block of which) dirty.add(block);
    frame ??= requestAnimationFrame(draw);
  };

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isHostMessage(event.data)) return;
    const previous = view?.state;
    const next = applyHostMessage(view, event.data, Date.now());
    if (!next) return;
    view = next;
    const changed = new Set(
      changedSections(event.data.type === 'snapshot' ? undefined : previous, next.state),
    );
    redraw(blocks.filter((block) => block.sections.some((section) => changed.has(section))));
    if (previous && announcer) announce(announcer, previous, next.state);
  });

  root.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.disabled) return;
    const message = actionMessage(button.dataset.action ?? '', button.dataset.target);
    if (message) postToHost(message);
  });

  // `toggle` does not bubble: listen in the capture phase to remember which traces are open.
  root.addEventListener(
    'toggle',
    (event) => {
      const details = event.target as HTMLElement;
      const id = details.dataset?.traceId;
      if (!id || !(details instanceof HTMLDetailsElement)) return;
      if (details.open) openTraces.add(id);
      else openTraces.delete(id);
      saveUiState({ openTraces: [...openTraces].slice(-50) });
    },
    true,
  );

  // Charts draw to their block's width: redraw them when it changes.
  new ResizeObserver(() => {
    const resized = blocks.filter((block) => {
      const container = containers.get(block);
      return (
        block.followsWidth && container && Math.abs(container.clientWidth - (widths.get(block) ?? 0)) >= 8
      );
    });
    if (resized.length > 0) redraw(resized);
  }).observe(root);

  // Countdowns and "ago" texts, once a second while the page is on screen.
  setInterval(() => {
    if (view && document.visibilityState === 'visible') refreshLiveText(root, hostNow());
  }, 1000);

  postToHost({ type: 'ready', surface });
}

function isHostMessage(data: unknown): data is HostMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Partial<HostMessage>;
  return (message.type === 'snapshot' || message.type === 'update') && typeof message.now === 'number';
}

function actionMessage(action: string, target: string | undefined): WebviewMessage | undefined {
  if ((MODEL_ACTION_TYPES as readonly string[]).includes(action))
    return target ? { type: action as ModelActionType, model: target } : undefined;
  if ((CHAIN_ACTION_TYPES as readonly string[]).includes(action)) return { type: action as ChainActionType };
  if (action === 'showTrace' && target) return { type: 'showTrace', traceId: target };
  return undefined;
}

/** The width inside a block's padding, in CSS pixels. */
function contentWidth(container: HTMLElement): number {
  const style = getComputedStyle(container);
  return container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

function focusedKeyIn(container: HTMLElement): string | undefined {
  // A page that is not focused keeps an activeElement; focusing it again would pull the keyboard
  // away from wherever the user is typing now (the editor, the command palette).
  if (!document.hasFocus()) return undefined;
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !container.contains(active)) return undefined;
  return active.dataset.focusKey;
}

function restoreFocus(container: HTMLElement, key: string): void {
  const target = container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  // When the control is gone (the action it offered is done), keep focus in the block.
  (target ?? container.querySelector<HTMLElement>('button, summary'))?.focus({ preventScroll: true });
}

/** Tells screen-reader users what changed on its own: circuits opening or closing, budget alerts. */
function announce(announcer: HTMLElement, previous: ViewState, next: ViewState): void {
  const messages: string[] = [];
  if (previous.models !== next.models) {
    const before = new Map(previous.models.map((model) => [model.name, model.circuit.state]));
    for (const model of next.models) {
      const was = before.get(model.name);
      if (was !== undefined && was !== model.circuit.state)
        messages.push(`${model.name}: circuit ${model.circuit.label}.`);
    }
  }
  if (previous.budgets !== next.budgets) {
    for (const bar of next.budgets.bars) {
      const was = previous.budgets.bars.find((old) => old.period === bar.period)?.level;
      if (was !== bar.level && (bar.level === 'alert' || bar.level === 'exceeded')) messages.push(bar.note);
    }
  }
  if (messages.length > 0) announcer.textContent = messages.join(' ');
}
